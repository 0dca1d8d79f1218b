"""An AWS Secrets Manager rotation function in the shape of AWS's rotation template: one
handler, called once per step (createSecret, setSecret, testSecret, finishSecret) with
{"SecretId", "ClientRequestToken", "Step"}, working through boto3.

It rotates a JSON secret {"username": ..., "password": ...}: createSecret stores a new
password as the AWSPENDING version, setSecret is where the password would be changed in the
database (here: the pending value is checked for the fields a database login needs),
testSecret reads the pending value back as a client would, and finishSecret moves AWSCURRENT
to the new version.

Against localsecrets, register it as a command; the emulator runs it with the event on stdin
and AWS_ENDPOINT_URL, credentials and region set so boto3 lands in the secret's own account
and region:

    localsecrets --allow-command-functions &
    curl -X PUT http://127.0.0.1:4566/_localsecrets/rotation-functions/my-rotator \\
         -H 'Content-Type: application/json' \\
         -d '{"command": ["python3", "examples/rotation/rotate.py"]}'

In AWS Lambda the same file runs with `lambda_handler` as its handler.
"""

import json
import logging
import os
import sys

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    arn = event["SecretId"]
    token = event["ClientRequestToken"]
    step = event["Step"]

    client = boto3.client("secretsmanager")

    # The version this rotation builds must be staged for rotation.
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"Secret {arn} is not enabled for rotation")
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        raise ValueError(f"Secret version {token} has no stage for rotation of secret {arn}")
    if "AWSCURRENT" in versions[token]:
        logger.info("Secret version %s already set as AWSCURRENT for secret %s", token, arn)
        return
    if "AWSPENDING" not in versions[token]:
        raise ValueError(f"Secret version {token} not set as AWSPENDING for rotation of secret {arn}")

    if step == "createSecret":
        create_secret(client, arn, token)
    elif step == "setSecret":
        set_secret(client, arn, token)
    elif step == "testSecret":
        test_secret(client, arn, token)
    elif step == "finishSecret":
        finish_secret(client, arn, token)
    else:
        raise ValueError(f"Invalid step parameter {step}")


def create_secret(client, arn, token):
    """Stores a new password under AWSPENDING, unless this token already has one."""
    current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    try:
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        logger.info("createSecret: pending version already exists for %s", arn)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    exclude = os.environ.get("EXCLUDE_CHARACTERS", "/@\"'\\")
    current["password"] = client.get_random_password(ExcludeCharacters=exclude)["RandomPassword"]
    client.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps(current),
        VersionStages=["AWSPENDING"],
    )
    logger.info("createSecret: stored a new AWSPENDING version %s for %s", token, arn)


def pending(client, arn, token):
    return json.loads(
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    )


def set_secret(client, arn, token):
    """Where the database would learn the new password."""
    secret = pending(client, arn, token)
    missing = [k for k in ("username", "password") if not secret.get(k)]
    if missing:
        raise ValueError(f"setSecret: the pending secret lacks {', '.join(missing)}")


def test_secret(client, arn, token):
    """Where a client would log in with the pending credentials."""
    secret = pending(client, arn, token)
    current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    if secret["password"] == current["password"]:
        raise ValueError("testSecret: the pending password is the current one")


def finish_secret(client, arn, token):
    """Makes the new version AWSCURRENT (the old one becomes AWSPREVIOUS)."""
    metadata = client.describe_secret(SecretId=arn)
    current_version = None
    for version, stages in metadata["VersionIdsToStages"].items():
        if "AWSCURRENT" in stages:
            if version == token:
                logger.info("finishSecret: version %s already AWSCURRENT for %s", version, arn)
                return
            current_version = version
            break
    client.update_secret_version_stage(
        SecretId=arn,
        VersionStage="AWSCURRENT",
        MoveToVersionId=token,
        RemoveFromVersionId=current_version,
    )
    logger.info("finishSecret: version %s is now AWSCURRENT for %s", token, arn)


def main():
    """Command entry point: the event as JSON on stdin; exit 0 on success."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    event = json.load(sys.stdin)
    try:
        lambda_handler(event, None)
    except Exception as e:  # the emulator keeps stderr as the failure
        print(f"{event.get('Step')} failed: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
