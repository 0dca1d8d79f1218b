// Spawns the localsecrets binary (LOCALSECRETS_BIN, else target/release/localsecrets) on a
// free loopback port and waits until its health endpoint answers.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bin = process.env.LOCALSECRETS_BIN ?? join(root, "target", "release", "localsecrets");

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(args = []) {
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build it first`);
  const port = await freePort();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("LOCALSECRETS_")),
  );
  const proc = spawn(bin, ["--port", String(port), ...args], { env, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000; // a hang guard, not a performance assertion
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${url}/_localsecrets/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("server did not become healthy");
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    async reset() {
      const r = await fetch(`${url}/_localsecrets/reset`, {
        method: "POST",
        headers: { "content-type": "application/json" },
      });
      if (!r.ok) throw new Error(`reset failed: ${r.status}`);
    },
    stop() {
      proc.kill("SIGTERM");
    },
  };
}
