"""Bootstraps a fresh moto_server for the cloud-target tests (tier 4 of CONTRIBUTING.md#testing-tiers), and makes
single signed AWS calls for test assertions. Run with the moto venv's python (boto3 is a moto
dependency); test/emulators/moto-server.ts is the only caller.

  moto-bootstrap.py bootstrap ENDPOINT
      Makes exactly UNAUTHENTICATED_CALLS requests that moto lets through unchecked (the server
      runs with INITIAL_NO_AUTH_ACTION_COUNT set to that number): create an IAM user, give it an
      allow-everything inline policy, create its access key. Everything after that is signed with
      the new key and checked by moto: an EC2 instance and three Step Functions state machines in
      REGION. Prints one JSON object (see `bootstrap` below).

  moto-bootstrap.py call ENDPOINT SERVICE OPERATION [JSON_PARAMS]
      One boto3 call (snake_case operation name) signed with AWS_ACCESS_KEY_ID /
      AWS_SECRET_ACCESS_KEY from the environment. Prints {"ok": true, "result": ...} or
      {"ok": false, "status": ..., "code": ..., "message": ...}; exits 0 either way.

It must not change moto's behaviour beyond the documented /moto-api/config switch, and it never
talks to anything but ENDPOINT.
"""

import json
import sys
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

REGION = "ap-northeast-1"
# moto-server.ts reads this line to set INITIAL_NO_AUTH_ACTION_COUNT.
UNAUTHENTICATED_CALLS = 3
USER = "jobnet-test"
ROLE_ARN = "arn:aws:iam::123456789012:role/jobnet-test"
# A Windows Server AMI from moto's built-in image list (moto/ec2/resources/amis.json.gz),
# known in every region.
IMAGE_ID = "ami-12c6146b"
ALLOW_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
# Definitions for the state machines the tests start. They only use states moto's Step Functions
# interpreter runs without other services (Pass, Wait, Succeed, Fail).
STATE_MACHINES = {
    # RUNNING for about a second, then SUCCEEDED with output {"result": "done"}.
    "stateMachineArn": (
        "jobnet-succeeds",
        {
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
                "Done": {"Type": "Pass", "Result": {"result": "done"}, "End": True},
            },
        },
    ),
    # FAILED at once with error "JobFailed" and cause "failed on purpose".
    "failingStateMachineArn": (
        "jobnet-fails",
        {
            "StartAt": "Fail",
            "States": {"Fail": {"Type": "Fail", "Error": "JobFailed", "Cause": "failed on purpose"}},
        },
    ),
    # RUNNING for an hour: for StopExecution (-> ABORTED) and timeouts.
    "waitingStateMachineArn": (
        "jobnet-waits",
        {
            "StartAt": "Wait",
            "States": {
                "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        },
    ),
}


def client(endpoint, service, key_id, secret, region=REGION):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def bootstrap(endpoint):
    # Not an AWS call (moto's own API, never authenticated, not counted): make StartExecution run
    # the state machine definition instead of returning static data. Must precede
    # CreateStateMachine: the interpreting backend keeps its own state machines.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).read()

    # The UNAUTHENTICATED_CALLS requests moto does not check (boto3 signs them with a dummy key).
    iam = client(endpoint, "iam", "bootstrap", "bootstrap", region="us-east-1")
    iam.create_user(UserName=USER)
    iam.put_user_policy(UserName=USER, PolicyName="allow-everything", PolicyDocument=json.dumps(ALLOW_EVERYTHING))
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]

    # From here on moto checks every signature: a dummy key must now be refused.
    try:
        client(endpoint, "ec2", "bootstrap", "bootstrap").describe_regions()
        raise SystemExit("moto accepted a dummy key after bootstrap: INITIAL_NO_AUTH_ACTION_COUNT is too high")
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "AuthFailure":
            raise

    ec2 = client(endpoint, "ec2", key_id, secret)
    instance = ec2.run_instances(ImageId=IMAGE_ID, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    sfn = client(endpoint, "stepfunctions", key_id, secret)
    result = {
        "region": REGION,
        "accessKeyId": key_id,
        "secretAccessKey": secret,
        "instanceId": instance["InstanceId"],
    }
    for field, (name, definition) in STATE_MACHINES.items():
        created = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE_ARN)
        result[field] = created["stateMachineArn"]
    print(json.dumps(result))


def call(endpoint, service, operation, params):
    import os

    aws = client(endpoint, service, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    try:
        result = getattr(aws, operation)(**params)
        result.pop("ResponseMetadata", None)
        print(json.dumps({"ok": True, "result": result}, default=str))
    except botocore.exceptions.ClientError as error:
        print(
            json.dumps(
                {
                    "ok": False,
                    "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
                    "code": error.response["Error"].get("Code"),
                    "message": error.response["Error"].get("Message"),
                }
            )
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "bootstrap":
        bootstrap(sys.argv[2])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "call":
        call(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]) if len(sys.argv) == 6 else {})
    else:
        raise SystemExit(__doc__)
