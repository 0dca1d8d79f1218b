// AWS Secrets Manager through @aws-sdk/client-secrets-manager (SDK v3) against the real
// server: every operation this SDK version models (it lacks ListResourcePolicies and the
// cross-account replica operations, which the Python suites cover).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  ListSecretVersionIdsCommand,
  DeleteSecretCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  RotateSecretCommand,
  CancelRotateSecretCommand,
  GetRandomPasswordCommand,
  BatchGetSecretValueCommand,
  PutResourcePolicyCommand,
  GetResourcePolicyCommand,
  DeleteResourcePolicyCommand,
  ValidateResourcePolicyCommand,
  ReplicateSecretToRegionsCommand,
  RemoveRegionsFromReplicationCommand,
  StopReplicationToReplicaCommand,
  ListSecretsCommand,
  paginateListSecrets,
  ResourceNotFoundException,
  InvalidRequestException,
  ResourceExistsException,
} from "@aws-sdk/client-secrets-manager";
import { startServer } from "./server.mjs";

const LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:rotate";
let server;

function client(region = "us-east-1", accessKeyId = "111111111111") {
  return new SecretsManagerClient({
    endpoint: server.url,
    region,
    credentials: { accessKeyId, secretAccessKey: "secret" },
    maxAttempts: 1,
  });
}

async function rejects(promise, name) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata.httpStatusCode, 400);
    return e;
  }
  assert.fail(`expected ${name}`);
}

async function stages(sm, SecretId, IncludeDeprecated = false) {
  const out = {};
  let NextToken;
  do {
    const page = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId, IncludeDeprecated, MaxResults: 2, NextToken }),
    );
    for (const v of page.Versions) out[v.VersionId] = [...(v.VersionStages ?? [])].sort();
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

before(async () => {
  server = await startServer();
});
after(() => server.stop());
beforeEach(() => server.reset());

describe("secrets manager through the JS SDK", () => {
  test("create, read and describe", async () => {
    const sm = client();
    const c = await sm.send(
      new CreateSecretCommand({ Name: "js/db", SecretString: "s3cret", Description: "d" }),
    );
    assert.match(c.ARN, /^arn:aws:secretsmanager:us-east-1:111111111111:secret:js\/db-[A-Za-z0-9]{6}$/);
    for (const SecretId of ["js/db", c.ARN, c.ARN.slice(0, -7)]) {
      const v = await sm.send(new GetSecretValueCommand({ SecretId }));
      assert.equal(v.SecretString, "s3cret");
      assert.deepEqual(v.VersionStages, ["AWSCURRENT"]);
      assert.ok(v.CreatedDate instanceof Date);
    }
    const d = await sm.send(new DescribeSecretCommand({ SecretId: "js/db" }));
    assert.equal(d.Description, "d");
    assert.deepEqual(d.VersionIdsToStages, { [c.VersionId]: ["AWSCURRENT"] });
    assert.ok(d.LastAccessedDate instanceof Date);
    assert.equal(d.RotationEnabled, undefined);
    const e = await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: "missing" })),
      "ResourceNotFoundException",
    );
    assert.ok(e instanceof ResourceNotFoundException);
    assert.equal(e.message, "Secrets Manager can't find the specified secret.");
    await rejects(sm.send(new CreateSecretCommand({ Name: "bad name" })), "ValidationException");
  });

  test("binary values and idempotent writes", async () => {
    const sm = client();
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const token = randomUUID();
    const a = await sm.send(
      new CreateSecretCommand({ Name: "js/bin", SecretBinary: bytes, ClientRequestToken: token }),
    );
    const b = await sm.send(
      new CreateSecretCommand({ Name: "js/bin", SecretBinary: bytes, ClientRequestToken: token }),
    );
    assert.equal(a.VersionId, token);
    assert.equal(b.VersionId, token);
    const v = await sm.send(new GetSecretValueCommand({ SecretId: "js/bin" }));
    assert.deepEqual(Uint8Array.from(v.SecretBinary), bytes);
    const t2 = randomUUID();
    await sm.send(new PutSecretValueCommand({ SecretId: "js/bin", SecretString: "x", ClientRequestToken: t2 }));
    await sm.send(new PutSecretValueCommand({ SecretId: "js/bin", SecretString: "x", ClientRequestToken: t2 }));
    const e = await rejects(
      sm.send(new PutSecretValueCommand({ SecretId: "js/bin", SecretString: "y", ClientRequestToken: t2 })),
      "ResourceExistsException",
    );
    assert.ok(e instanceof ResourceExistsException);
    assert.equal(Object.keys(await stages(sm, "js/bin", true)).length, 2);
  });

  test("staging labels", async () => {
    const sm = client();
    const v0 = (await sm.send(new CreateSecretCommand({ Name: "js/lbl", SecretString: "S1" }))).VersionId;
    const v1 = (
      await sm.send(new PutSecretValueCommand({ SecretId: "js/lbl", SecretString: "S2", VersionStages: ["AWSPENDING"] }))
    ).VersionId;
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "js/lbl" }))).VersionId, v0);
    await rejects(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: "js/lbl", VersionStage: "AWSCURRENT", MoveToVersionId: v1 })),
      "InvalidParameterException",
    );
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "js/lbl", VersionStage: "AWSCURRENT", MoveToVersionId: v1, RemoveFromVersionId: v0,
      }),
    );
    assert.deepEqual(await stages(sm, "js/lbl"), { [v0]: ["AWSPREVIOUS"], [v1]: ["AWSCURRENT", "AWSPENDING"] });
    const v2 = (await sm.send(new UpdateSecretCommand({ SecretId: "js/lbl", SecretString: "S3" }))).VersionId;
    assert.deepEqual(await stages(sm, "js/lbl"), { [v1]: ["AWSPREVIOUS"], [v2]: ["AWSCURRENT"] });
    assert.deepEqual((await stages(sm, "js/lbl", true))[v0], []);
  });

  test("rotation", async () => {
    const sm = client();
    const v1 = (
      await sm.send(new CreateSecretCommand({ Name: "js/rot", SecretString: JSON.stringify({ username: "u", password: "p" }) }))
    ).VersionId;
    const e = await rejects(sm.send(new RotateSecretCommand({ SecretId: "js/rot" })), "InvalidRequestException");
    assert.ok(e instanceof InvalidRequestException);
    assert.equal(e.message, "No Lambda rotation function ARN is associated with this secret.");
    const r = await sm.send(
      new RotateSecretCommand({ SecretId: "js/rot", RotationLambdaARN: LAMBDA, RotationRules: { AutomaticallyAfterDays: 2 } }),
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: "js/rot" }));
    assert.equal(d.RotationEnabled, true);
    assert.deepEqual(d.RotationRules, { AutomaticallyAfterDays: 2 });
    assert.equal(d.NextRotationDate - d.LastRotatedDate, 2 * 86400 * 1000);
    assert.deepEqual(d.VersionIdsToStages, { [v1]: ["AWSPREVIOUS"], [r.VersionId]: ["AWSCURRENT"] });
    const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: "js/rot" }))).SecretString);
    assert.equal(value.username, "u");
    assert.notEqual(value.password, "p");
    const again = await sm.send(new RotateSecretCommand({ SecretId: "js/rot" }));
    assert.deepEqual(await stages(sm, "js/rot"), { [r.VersionId]: ["AWSPREVIOUS"], [again.VersionId]: ["AWSCURRENT"] });
    await sm.send(new CancelRotateSecretCommand({ SecretId: "js/rot" }));
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "js/rot" }))).RotationEnabled, false);
  });

  test("deletion, restore, tags and policies", async () => {
    const sm = client();
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: "js/del", SecretString: "v" }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: ARN, RecoveryWindowInDays: 7 }));
    assert.ok(del.DeletionDate instanceof Date);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: ARN })), "InvalidRequestException");
    await rejects(sm.send(new CreateSecretCommand({ Name: "js/del" })), "InvalidRequestException");
    await sm.send(new RestoreSecretCommand({ SecretId: ARN }));
    await sm.send(new TagResourceCommand({ SecretId: ARN, Tags: [{ Key: "a", Value: "1" }] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: ARN }))).Tags, [{ Key: "a", Value: "1" }]);
    await sm.send(new UntagResourceCommand({ SecretId: ARN, TagKeys: ["a"] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: ARN }))).Tags, []);
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    });
    await rejects(
      sm.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: policy, BlockPublicPolicy: true })),
      "PublicPolicyException",
    );
    await sm.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: policy }));
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: ARN }))).ResourcePolicy, policy);
    const check = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy }));
    assert.equal(check.PolicyValidationPassed, false);
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: ARN }));
    await sm.send(new DeleteSecretCommand({ SecretId: ARN, ForceDeleteWithoutRecovery: true }));
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: ARN })), "ResourceNotFoundException");
  });

  test("listing, batches and passwords", async () => {
    const sm = client();
    for (let i = 0; i < 5; i++) {
      await sm.send(new CreateSecretCommand({ Name: `js/list/${i}`, SecretString: `v${i}` }));
    }
    const names = [];
    for await (const page of paginateListSecrets({ client: sm, pageSize: 2 }, {})) {
      assert.ok(page.SecretList.length <= 2);
      names.push(...page.SecretList.map((s) => s.Name));
    }
    assert.deepEqual(names, [0, 1, 2, 3, 4].map((i) => `js/list/${i}`));
    const filtered = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["!js/list/1"] }], SortBy: "name", SortOrder: "desc" }),
    );
    assert.deepEqual(filtered.SecretList.map((s) => s.Name), ["js/list/4", "js/list/3", "js/list/2", "js/list/0"]);
    await rejects(sm.send(new ListSecretsCommand({ NextToken: "forged" })), "InvalidNextTokenException");
    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["js/list/0", "nope"] }));
    assert.deepEqual(batch.SecretValues.map((v) => v.SecretString), ["v0"]);
    assert.equal(batch.Errors[0].ErrorCode, "ResourceNotFoundException");
    const pw = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40, ExcludeCharacters: "abc" }));
    assert.equal(pw.RandomPassword.length, 40);
    assert.ok(!/[abc]/.test(pw.RandomPassword));
  });

  test("replicas in other regions", async () => {
    const us = client("us-east-1");
    const eu = client("eu-west-1");
    await us.send(new CreateSecretCommand({ Name: "js/rep", SecretString: "v1" }));
    const r = await us.send(
      new ReplicateSecretToRegionsCommand({ SecretId: "js/rep", AddReplicaRegions: [{ Region: "eu-west-1" }] }),
    );
    assert.equal(r.ReplicationStatus[0].Status, "InSync");
    assert.equal((await eu.send(new GetSecretValueCommand({ SecretId: "js/rep" }))).SecretString, "v1");
    await us.send(new PutSecretValueCommand({ SecretId: "js/rep", SecretString: "v2" }));
    assert.equal((await eu.send(new GetSecretValueCommand({ SecretId: "js/rep" }))).SecretString, "v2");
    await rejects(eu.send(new PutSecretValueCommand({ SecretId: "js/rep", SecretString: "x" })), "InvalidParameterException");
    await us.send(new RemoveRegionsFromReplicationCommand({ SecretId: "js/rep", RemoveReplicaRegions: ["eu-west-1"] }));
    await rejects(eu.send(new GetSecretValueCommand({ SecretId: "js/rep" })), "ResourceNotFoundException");
    await us.send(
      new ReplicateSecretToRegionsCommand({ SecretId: "js/rep", AddReplicaRegions: [{ Region: "eu-west-1" }] }),
    );
    await eu.send(new StopReplicationToReplicaCommand({ SecretId: "js/rep" }));
    await eu.send(new PutSecretValueCommand({ SecretId: "js/rep", SecretString: "own" }));
    await us.send(new PutSecretValueCommand({ SecretId: "js/rep", SecretString: "v3" }));
    assert.equal((await eu.send(new GetSecretValueCommand({ SecretId: "js/rep" }))).SecretString, "own");
  });
});
