//! Command-line flags, each with a `LOCALSECRETS_*` environment variable; `--help` lists them.

use clap::Parser;
use clap::Subcommand;
use localsecrets_alibaba::AlibabaConfig;
use localsecrets_aws::AwsConfig;
use std::path::{Path, PathBuf};
use tracing_subscriber::EnvFilter;

/// One local server emulating AWS Secrets Manager, Alibaba Cloud KMS secrets and Huawei
/// Cloud CSMS on a single port.
#[derive(Clone, Debug, Parser)]
#[command(name = "localsecrets", version, about)]
pub struct Config {
    /// Address (or host name) to listen on; use 0.0.0.0 to accept connections from other
    /// machines or containers.
    #[arg(
        long,
        env = "LOCALSECRETS_HOST",
        default_value = "127.0.0.1",
        global = true
    )]
    pub host: String,

    /// Port to listen on; 0 picks a free one (the startup log line names it).
    #[arg(long, env = "LOCALSECRETS_PORT", default_value_t = 4566, global = true)]
    pub port: u16,

    /// SQLite file holding all state across restarts (created if missing). Without it (or
    /// with an empty value) all state lives in memory and is gone when the process exits.
    #[arg(long, env = "LOCALSECRETS_DATA", value_name = "PATH", value_parser = path_or_empty)]
    pub data: Option<PathBuf>,

    /// AWS account (12 digits) used when an access key does not name one.
    #[arg(
        long,
        env = "LOCALSECRETS_AWS_ACCOUNT_ID",
        value_name = "ID",
        default_value_t = AwsConfig::default().default_account,
        value_parser = digits::<12>
    )]
    pub aws_account_id: String,

    /// Alibaba Cloud account (16 digits) used when an AccessKeyId does not name one.
    #[arg(
        long,
        env = "LOCALSECRETS_ALIBABA_ACCOUNT_ID",
        value_name = "ID",
        default_value_t = AlibabaConfig::default().default_account,
        value_parser = digits::<16>
    )]
    pub alibaba_account_id: String,

    /// Seed for every generated id, ARN suffix and password, so runs are reproducible.
    /// Without it they come from the operating system's entropy.
    #[arg(long, env = "LOCALSECRETS_SEED", value_name = "N")]
    pub seed: Option<u64>,

    /// Log filter: a level (error, warn, info, debug, trace) or tracing directives such as
    /// `info,localsecrets_server=debug`. Request lines are logged at debug; secret values
    /// are never logged.
    #[arg(
        long,
        env = "LOCALSECRETS_LOG",
        value_name = "FILTER",
        default_value = "info",
        value_parser = log_filter
    )]
    pub log_level: String,

    /// Fixture file, or directory of `*.json` fixture files (applied in name order), loaded
    /// at start when the state holds no secrets yet. A bad file stops the server with the
    /// file, the JSON path and the problem.
    #[arg(long, env = "LOCALSECRETS_FIXTURES", value_name = "PATH", value_parser = path_or_empty)]
    pub fixtures: Option<PathBuf>,

    /// How many API calls the request journal keeps (`GET /_localsecrets/requests`); 0
    /// keeps none.
    #[arg(
        long,
        env = "LOCALSECRETS_JOURNAL_SIZE",
        value_name = "N",
        default_value_t = crate::journal::DEFAULT_SIZE
    )]
    pub journal_size: usize,

    /// Print one JSON line per API call to stdout: time, cloud, tenant, region, operation,
    /// secret name, status, error code, duration. Never a secret value.
    #[arg(long, env = "LOCALSECRETS_LOG_REQUESTS")]
    pub log_requests: bool,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// JSON file of user rotation functions to register at start:
    /// `{"<id>": {"url": "http://…"} | {"command": ["prog", "arg"]}, …}`. The id is what a
    /// secret names as its rotation function (AWS RotationLambdaARN or function name, Huawei
    /// rotation_func_urn, Alibaba secret name).
    #[arg(long, env = "LOCALSECRETS_ROTATION_FUNCTIONS", value_name = "FILE")]
    pub rotation_functions: Option<PathBuf>,

    /// Seconds a user rotation function may run before it is stopped and counts as failed.
    #[arg(
        long,
        env = "LOCALSECRETS_ROTATION_TIMEOUT",
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub rotation_timeout: u64,

    /// Let the admin API register command functions (`{"command": [...]}`), which run
    /// programs as this server's user. Off by default: anyone who reaches the port could
    /// otherwise run commands. Commands in the --rotation-functions file are always allowed.
    #[arg(long, env = "LOCALSECRETS_ALLOW_COMMAND_FUNCTIONS")]
    pub allow_command_functions: bool,

    /// Require `Authorization: Bearer TOKEN` on every admin endpoint except health (cloud
    /// APIs are unaffected).
    #[arg(
        long,
        env = "LOCALSECRETS_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,

    /// A Host name to accept besides the built-in ones (DNS-rebinding defence): `name`,
    /// `.domain` for a domain and its subdomains, or `*` for any. Repeat it, or give a
    /// comma-separated list in the variable.
    #[arg(
        long = "allowed-host",
        env = "LOCALSECRETS_ALLOWED_HOSTS",
        value_name = "HOST",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
}

/// What to do instead of serving.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Ask the server at --host/--port (the same settings and variables as the server's)
    /// whether it is healthy: exit 0 when `/_localsecrets/health` answers ok, 1 otherwise.
    /// For container health checks; needs no curl.
    Healthcheck,
}

impl Config {
    /// The `--data` file, unless state is kept in memory.
    pub fn data_path(&self) -> Option<&Path> {
        self.data.as_deref().filter(|p| !p.as_os_str().is_empty())
    }

    /// The `--fixtures` file or directory, if any.
    pub fn fixtures_path(&self) -> Option<&Path> {
        self.fixtures
            .as_deref()
            .filter(|p| !p.as_os_str().is_empty())
    }

    pub fn aws(&self) -> AwsConfig {
        AwsConfig {
            default_account: self.aws_account_id.clone(),
            ..AwsConfig::default()
        }
    }

    pub fn alibaba(&self) -> AlibabaConfig {
        AlibabaConfig {
            default_account: self.alibaba_account_id.clone(),
            ..AlibabaConfig::default()
        }
    }
}

/// Any path, also an empty one: `LOCALSECRETS_DATA=` or `LOCALSECRETS_FIXTURES=` turns off
/// a default (an image's) rather than being an error.
fn path_or_empty(s: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(s))
}

fn digits<const N: usize>(s: &str) -> Result<String, String> {
    if s.len() == N && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(format!("expected exactly {N} digits, got {s:?}"))
    }
}

fn log_filter(s: &str) -> Result<String, String> {
    EnvFilter::try_new(s)
        .map(|_| s.to_owned())
        .map_err(|e| format!("not a log level or filter: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("localsecrets").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn defaults_match_the_frontends() {
        // Only meaningful when no LOCALSECRETS_* variable is set in the test environment.
        if std::env::vars().any(|(k, _)| k.starts_with("LOCALSECRETS_")) {
            return;
        }
        let c = parse(&[]).unwrap();
        assert_eq!(c.host, "127.0.0.1");
        assert_eq!(c.port, 4566);
        assert_eq!(c.data, None);
        assert_eq!(c.aws().default_account, "000000000000");
        assert_eq!(
            c.alibaba().default_account,
            AlibabaConfig::default().default_account
        );
        assert_eq!(c.seed, None);
        assert_eq!(c.log_level, "info");
    }

    #[test]
    fn healthcheck_fixtures_and_journal_settings() {
        let c = parse(&["healthcheck", "--port", "5", "--host", "0.0.0.0"]).unwrap();
        assert_eq!(c.command, Some(Command::Healthcheck));
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", 5));
        let c = parse(&["--data", "", "--fixtures", ""]).unwrap();
        assert_eq!((c.data_path(), c.fixtures_path()), (None, None));
        let c = parse(&["--fixtures", "fx", "--journal-size", "0", "--log-requests"]).unwrap();
        assert_eq!(c.fixtures_path(), Some(Path::new("fx")));
        assert_eq!((c.journal_size, c.log_requests, c.command), (0, true, None));
        assert!(parse(&["--journal-size", "-1"]).is_err());
        assert!(parse(&["healthchek"]).is_err());
    }

    #[test]
    fn security_settings() {
        let c = parse(&[]).unwrap();
        if !std::env::vars().any(|(k, _)| k.starts_with("LOCALSECRETS_")) {
            assert!(!c.allow_command_functions);
            assert_eq!((c.admin_token, c.allowed_hosts.len()), (None, 0));
        }
        let c = parse(&[
            "--allow-command-functions",
            "--admin-token",
            "t0k",
            "--allowed-host",
            "a.example",
            "--allowed-host",
            ".corp",
        ])
        .unwrap();
        assert!(c.allow_command_functions);
        assert_eq!(c.admin_token.as_deref(), Some("t0k"));
        assert_eq!(c.allowed_hosts, ["a.example", ".corp"]);
    }

    #[test]
    fn validates_values() {
        assert!(parse(&["--aws-account-id", "123456789012"]).is_ok());
        for bad in [
            &["--aws-account-id", "12345"][..],
            &["--aws-account-id", "12345678901a"],
            &["--alibaba-account-id", "123456789012"],
            &["--port", "70000"],
            &["--seed", "-1"],
            &["--log-level", "info,=[["],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        let c = parse(&["--seed", "7", "--data", "/tmp/x.db", "--log-level", "debug"]).unwrap();
        assert_eq!(c.seed, Some(7));
        assert_eq!(c.data.as_deref(), Some(std::path::Path::new("/tmp/x.db")));
    }
}
