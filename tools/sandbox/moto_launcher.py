"""Starts moto's server with the corrections this project's stacks need.

moto answers some calls differently from AWS. Each difference below is one
named correction, applied to moto's classes before the server starts, so the
stacks deploy into the emulator exactly as written and a second plan is empty
where it is empty on AWS. Nothing here changes what the stacks contain.

Every correction is listed by `--list` (JSON ids); stacks/emulator-compat.ts
documents the same ids and a test keeps the two lists equal. A correction that
no longer fits the installed moto prints a warning naming it and is skipped.

Usage: python3 moto_launcher.py <host> <port>   (serves TLS with a self-signed certificate;
       port 0, or a busy one, means any free port; prints "listening on <host>:<port>" once bound)
       python3 moto_launcher.py --list
       WEB_TIER_EMULATOR_TRACE=<dir> python3 moto_launcher.py …   (a line per request: see install_trace)
"""
import errno
import json
import os
import signal
import socket
import sys
from typing import Callable, Dict

CORRECTIONS: Dict[str, Callable[[], None]] = {}


def correction(gap_id: str):
    def register(fn: Callable[[], None]) -> Callable[[], None]:
        CORRECTIONS[gap_id] = fn
        return fn

    return register


@correction("serialized-requests")
def serialized_requests() -> None:
    """moto's server handles each request on its own thread, but its
    backends have no locks: two Terraform runs revoking rules of one security
    group at once can lose an update (each rewrites the group's rule list from
    what it read), and the next call then fails on a rule that is gone or
    back. Requests here go through moto's backends one at a time; connections
    are still accepted concurrently."""
    import threading
    import time

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lock = threading.RLock()
    original = DomainDispatcherApplication.__call__

    def __call__(self, environ, start_response):
        waiting = time.monotonic()
        with lock:
            # For the request trace (install_trace): how long this request queued behind others.
            environ["web_tier.lock_wait_ms"] = round((time.monotonic() - waiting) * 1000)
            # Materialize the body under the lock: a lazy iterable would run after it is released.
            return list(original(self, environ, start_response))

    DomainDispatcherApplication.__call__ = __call__


@correction("answer-in-one-write")
def answer_in_one_write() -> None:
    """werkzeug writes an answer's status line and headers, then its body, as
    two writes, so two TLS records. The Go HTTP client in Terraform and the
    AWS provider sometimes closes its own connection as soon as the headers
    arrive (packet captures show its close_notify between the two records; a
    known client-side problem, aws/aws-sdk-go-v2#1825 and #2737, that shows
    when the client is short of CPU and the answer comes within
    milliseconds); the body that follows meets a closed socket, and the SDK,
    which retries "use of closed network connection" since
    aws/aws-sdk-go-v2#2949, sends the whole call again.
    Buffered, headers and body leave in one write: an answer up to the
    client's 4 KiB read buffer is read in full with the headers, so the
    client's early close costs nothing."""
    from werkzeug import serving

    class OneWrite:
        """What werkzeug writes for one answer, sent on its flush (werkzeug
        flushes once per answer; a chunked answer's terminator follows)."""

        def __init__(self, raw) -> None:
            self.raw = raw
            self.pending: list = []

        @property
        def closed(self) -> bool:
            return self.raw.closed

        def write(self, data) -> int:
            self.pending.append(bytes(data))
            if bytes(data).startswith(b"HTTP/1.1 100 "):
                self.flush()  # the client waits for "100 Continue" before it sends the body
            return len(data)

        def flush(self) -> None:
            if self.pending:
                data, self.pending = b"".join(self.pending), []
                self.raw.write(data)

        def close(self) -> None:
            self.raw.close()

    original_setup = serving.WSGIRequestHandler.setup

    def setup(self):
        original_setup(self)
        self.wfile = OneWrite(self.wfile)

    serving.WSGIRequestHandler.setup = setup


@correction("sdk-retry-replay")
def sdk_retry_replay() -> None:
    """AWS SDKs send every attempt of one API call with the same
    amz-sdk-invocation-id header (amz-sdk-request says which attempt it is),
    and they retry an attempt whose answer did not reach them. moto runs each
    attempt again, so when an answer is lost after moto acted on it, the retry
    of a create fails with "already exists" (IAM roles, routes), or creates a
    second resource that no state knows (security groups and target groups
    named from a prefix, Elastic IPs). Here an attempt of an invocation whose
    earlier attempt succeeded gets that attempt's answer again, and an attempt
    that arrives while an earlier one still runs waits for it, so each API
    call acts once however often the SDK sends it. An invocation whose earlier
    attempt failed runs again, as the SDK intends. (AWS itself does not key
    on this header; the replay stands in for the answer the client should
    have read — see answer-in-one-write for why it did not.)

    Applied after serialized-requests, so it wraps it: an attempt waiting for
    an earlier one must not hold the request lock that one needs."""
    import threading
    import time
    from collections import OrderedDict

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    # Longer than the SDK's whole retry schedule (25 attempts at most 20 s apart).
    keep_seconds = 900
    # Answers bigger than this are reads (S3 objects, long listings): running them again is harmless.
    largest_kept = 1 << 20

    class Attempt:
        def __init__(self) -> None:
            self.finished = threading.Event()
            self.status = None
            self.headers = None
            self.body = None
            self.finished_at = 0.0

        def succeeded(self) -> bool:
            return self.body is not None and self.status is not None and self.status.startswith("2")

    attempts: "OrderedDict[str, Attempt]" = OrderedDict()
    guard = threading.Lock()
    original = DomainDispatcherApplication.__call__

    def forget_expired(now: float) -> None:
        while attempts:
            oldest = next(iter(attempts.values()))
            if not oldest.finished.is_set() or now - oldest.finished_at < keep_seconds:
                return
            attempts.popitem(last=False)

    def claim(invocation: str):
        """("run", this attempt's record) or ("replay", the earlier attempt that succeeded)."""
        while True:
            with guard:
                forget_expired(time.monotonic())
                earlier = attempts.get(invocation)
                if earlier is None or (earlier.finished.is_set() and not earlier.succeeded()):
                    mine = attempts[invocation] = Attempt()
                    attempts.move_to_end(invocation)
                    return "run", mine
            earlier.finished.wait()
            if earlier.succeeded():
                return "replay", earlier

    def __call__(self, environ, start_response):
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation:
            return original(self, environ, start_response)
        verdict, attempt = claim(invocation)
        if verdict == "replay":
            environ["web_tier.replayed"] = True
            sys.stderr.write(f"sdk-retry-replay: {environ.get('HTTP_AMZ_SDK_REQUEST')} of {invocation} gets the answer of the attempt that succeeded\n")
            start_response(attempt.status, attempt.headers)
            return [attempt.body]

        def recording_start_response(status, headers, exc_info=None):
            attempt.status, attempt.headers = status, list(headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            body = b"".join(original(self, environ, recording_start_response))
            if len(body) <= largest_kept:
                attempt.body = body
            return [body]
        finally:
            attempt.finished_at = time.monotonic()
            attempt.finished.set()

    DomainDispatcherApplication.__call__ = __call__


@correction("security-group-rule-not-found-code")
def security_group_rule_not_found_code() -> None:
    """Revoking a security-group rule ID that no longer exists answers
    InvalidPermission.NotFound in moto; AWS answers
    InvalidSecurityGroupRuleId.NotFound, which the provider takes as already
    deleted (the same retried-delete case as launch templates)."""
    from moto.ec2 import exceptions
    from moto.ec2.models import security_groups

    backend = security_groups.SecurityGroupBackend
    for direction in ("ingress", "egress"):
        name = f"revoke_security_group_{direction}"
        original = getattr(backend, name)

        def revoke(self, group_name_or_id, *args, _original=original, _direction=direction, security_rule_ids=None, **kwargs):
            if security_rule_ids:
                group = self.get_security_group_by_name_or_id(group_name_or_id, kwargs.get("vpc_id"))
                if group is not None:
                    known = {rule.id for rule in (group.egress_rules if _direction == "egress" else group.ingress_rules)}
                    missing = [rule_id for rule_id in security_rule_ids if rule_id not in known]
                    if missing:
                        raise exceptions.InvalidSecurityGroupRuleIdNotFoundError(missing[0])
            return _original(self, group_name_or_id, *args, security_rule_ids=security_rule_ids, **kwargs)

        setattr(backend, name, revoke)


@correction("bucket-policy-conditions")
def bucket_policy_conditions() -> None:
    """moto treats a statement whose Condition does not match as an explicit
    Deny, and a condition on a key it has no value for (s3:TlsVersion) as
    matching, so a TLS-only bucket policy denies every object request. AWS
    does neither: a statement whose condition does not match does not apply."""
    from moto.iam import access_control

    statement = access_control.IAMPolicyStatement
    neutral = access_control.PermissionResult.NEUTRAL
    original = statement.is_action_permitted
    statement._check_conditions  # fail early if moto renamed it

    def condition_applies(conditions, values):
        for operator, keys in conditions.items():
            for key in keys:
                if key not in (values or {}) and not operator.endswith("IfExists"):
                    return False
        return True

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        conditions = self._statement.get("Condition")
        if conditions and not (
            condition_applies(conditions, incoming_condition_values) and self._check_conditions(incoming_condition_values)
        ):
            return neutral
        return original(self, action, resource, principal, incoming_condition_values)

    statement.is_action_permitted = is_action_permitted


@correction("mixed-instances-capacity")
def mixed_instances_capacity() -> None:
    """moto sizes a mixed-instances group by flooring the on-demand and Spot
    shares separately (desired 4, base 2, 20 % above base: 2 + int(1.6) = 3),
    so the group never reaches its desired capacity and Terraform waits for
    it until wait_for_capacity_timeout. AWS fills the whole desired capacity;
    so does this, in units of the first override's weight, and it reports each
    instance's weight as AWS does."""
    from moto.autoscaling import models

    group = models.FakeAutoScalingGroup
    original = group.set_desired_capacity
    group.replace_autoscaling_group_instances  # fail early if moto renamed it

    def primary_weight(self) -> int:
        overrides = ((self.mixed_instances_policy or {}).get("LaunchTemplate") or {}).get("Overrides") or []
        raw = str(overrides[0].get("WeightedCapacity", "1")) if overrides else "1"
        return max(int(raw), 1) if raw.isdigit() else 1

    def set_desired_capacity(self, new_capacity):
        original(self, new_capacity)
        if not self.mixed_instances_policy:
            return
        weight = primary_weight(self)
        missing = -(-(self.desired_capacity or 0) // weight) - len(self.active_instances())
        if missing > 0:
            self.replace_autoscaling_group_instances(missing, self.get_propagated_tags())
            if self.name in self.autoscaling_backend.autoscaling_groups:
                self.autoscaling_backend.update_attached_elbs(self.name)
                self.autoscaling_backend.update_attached_target_groups(self.name)
        for state in self.instance_states:
            state.weighted_capacity = str(weight)

    group.set_desired_capacity = set_desired_capacity


@correction("asg-default-instance-warmup")
def asg_default_instance_warmup() -> None:
    """moto drops DefaultInstanceWarmup on create and update and reports none,
    so every plan would set it again."""
    from moto.autoscaling.responses import AutoScalingResponse

    for name in ("create_auto_scaling_group", "update_auto_scaling_group"):
        original = getattr(AutoScalingResponse, name)

        def with_warmup(self, _original=original):
            result = _original(self)
            warmup = self._get_int_param("DefaultInstanceWarmup")
            group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
            if warmup is not None and group is not None:
                group.default_instance_warmup = warmup
            return result

        setattr(AutoScalingResponse, name, with_warmup)


@correction("scaling-policy-fields")
def scaling_policy_fields() -> None:
    """moto omits a policy's Enabled flag (read back as false) and returns an
    empty PredictiveScalingConfiguration on policies of other types, so every
    plan would re-enable each policy and drop the phantom block."""
    from moto.autoscaling import models

    policy = models.FakeScalingPolicy
    original = policy.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.enabled = True
        if self.policy_type != "PredictiveScaling":
            self.predictive_scaling_configuration = None

    policy.__init__ = __init__


@correction("launch-template-tags")
def launch_template_tags() -> None:
    """moto copies the tags of the launch template itself (a TagSpecification
    of type launch-template on CreateLaunchTemplate) into the template's
    data, where AWS never puts them, so every plan would remove them."""
    from moto.ec2.models import launch_templates

    version = launch_templates.LaunchTemplateVersion
    original = version.__init__

    def __init__(self, template, number, data, description):
        specs = [s for s in data.get("TagSpecifications", []) if s.get("ResourceType") != "launch-template"]
        data = {**data, "TagSpecifications": specs} if specs else {k: v for k, v in data.items() if k != "TagSpecifications"}
        original(self, template, number, data, description)

    version.__init__ = __init__


@correction("security-group-rule-description")
def security_group_rule_description() -> None:
    """moto reads a rule's description only from CIDR ranges, so a rule that
    references another security group reads back without its description."""
    from moto.ec2.models import security_groups

    rule = security_groups.SecurityGroupRule
    rule.description = property(lambda self: self.ip_range.get("Description") or self.source_group.get("Description"))


@correction("alb-deletion-protection")
def alb_deletion_protection() -> None:
    """moto deletes a load balancer whose deletion protection is on; AWS
    refuses with OperationNotPermitted, which is what protects prod from a
    stray destroy."""
    from moto.elbv2 import exceptions, models

    backend = models.ELBv2Backend
    original = backend.delete_load_balancer

    class OperationNotPermitted(exceptions.ELBClientError):
        def __init__(self, arn):
            super().__init__(
                "OperationNotPermitted",
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
            )

    def delete_load_balancer(self, arn):
        balancer = self.load_balancers.get(arn)
        if balancer is not None and balancer.attrs.get("deletion_protection.enabled") == "true":
            raise OperationNotPermitted(arn)
        return original(self, arn)

    backend.delete_load_balancer = delete_load_balancer


@correction("launch-template-not-found-code")
def launch_template_not_found_code() -> None:
    """Deleting a launch template by an ID that no longer exists answers
    InvalidLaunchTemplateName.NotFoundException in moto; AWS answers
    InvalidLaunchTemplateId.NotFound, which the provider treats as already
    deleted. With moto's code, a delete sent again after its answer was lost
    failed the destroy; sdk-retry-replay now answers such a retry itself, and
    this stays because the code is what AWS answers."""
    from moto.ec2 import exceptions
    from moto.ec2.models import launch_templates

    backend = launch_templates.LaunchTemplateBackend
    original = backend.delete_launch_template

    def delete_launch_template(self, name, tid):
        if not name and tid and tid not in self.launch_templates:
            raise exceptions.InvalidLaunchTemplateIdNotFound(tid)
        return original(self, name, tid)

    backend.delete_launch_template = delete_launch_template


@correction("health-check-caller-reference")
def health_check_caller_reference() -> None:
    """CreateHealthCheck is idempotent on AWS: the same CallerReference returns
    the health check it already created. moto creates another each time, so
    a create sent again leaves a second, orphaned health check that no state
    knows and no destroy removes. sdk-retry-replay now answers an SDK retry
    itself; this stays because it is AWS's own idempotency, for any call that
    repeats the reference."""
    from moto.route53.models import Route53Backend

    original = Route53Backend.create_health_check

    def create_health_check(self, caller_reference, health_check_args):
        for existing in self.health_checks.values():
            if existing.caller_reference == caller_reference:
                return existing
        return original(self, caller_reference, health_check_args)

    Route53Backend.create_health_check = create_health_check


@correction("lifecycle-hook-targets")
def lifecycle_hook_targets() -> None:
    """moto ignores a lifecycle hook's RoleARN and NotificationTargetARN and
    reports fixed placeholders (an SQS queue in us-east-1, a role in account
    1234567890), so every plan would set them again."""
    from moto.autoscaling.responses import AutoScalingResponse

    original_put = AutoScalingResponse.put_lifecycle_hook

    def put_lifecycle_hook(self):
        result = original_put(self)
        hooks = self.autoscaling_backend.lifecycle_hooks
        hook = hooks.get(f"{self._get_param('AutoScalingGroupName')}_{self._get_param('LifecycleHookName')}")
        if hook is not None:
            hook.role_arn = self._get_param("RoleARN")
            hook.notification_target_arn = self._get_param("NotificationTargetARN")
            hook.notification_metadata = self._get_param("NotificationMetadata")
        return result

    AutoScalingResponse.put_lifecycle_hook = put_lifecycle_hook


@correction("lambda-dead-letter-config")
def lambda_dead_letter_config() -> None:
    """moto drops a function's DeadLetterConfig and KMSKeyArn (the key of its
    environment variables), so every plan would set them again."""
    from moto.awslambda import models

    function = models.LambdaFunction
    original_init = function.__init__
    original_configuration = function.get_configuration
    original_update = function.update_configuration

    def __init__(self, account_id, spec, region, *args, **kwargs):
        original_init(self, account_id, spec, region, *args, **kwargs)
        self.dead_letter_config = spec.get("DeadLetterConfig")
        self.environment_kms_key = spec.get("KMSKeyArn")

    def get_configuration(self, *args, **kwargs):
        config = original_configuration(self, *args, **kwargs)
        if getattr(self, "dead_letter_config", None):
            config["DeadLetterConfig"] = self.dead_letter_config
        if getattr(self, "environment_kms_key", None):
            config["KMSKeyArn"] = self.environment_kms_key
        return config

    def update_configuration(self, config_updates):
        if "DeadLetterConfig" in config_updates:
            self.dead_letter_config = config_updates["DeadLetterConfig"]
        if "KMSKeyArn" in config_updates:
            self.environment_kms_key = config_updates["KMSKeyArn"]
        return original_update(self, config_updates)

    function.__init__ = __init__
    function.get_configuration = get_configuration
    function.update_configuration = update_configuration


@correction("fis-get-experiment-template")
def fis_get_experiment_template() -> None:
    """moto creates FIS experiment templates but cannot read one back
    (GetExperimentTemplate is not implemented), so Terraform retries the read
    of a new template until it gives up."""
    import json

    from moto.fis.exceptions import ResourceNotFoundException
    from moto.fis.responses import FISResponse

    def get_experiment_template(self):
        backend = self.fis_backend
        template = backend.experiment_templates.get(self._get_param("id"))
        if template is None:
            raise ResourceNotFoundException(f"Experiment template {self._get_param('id')} does not exist")
        return json.dumps({"experimentTemplate": template.to_dict(tags=backend.tagger.get_tag_dict_for_resource(template.arn))})

    FISResponse.get_experiment_template = get_experiment_template


@correction("instance-refresh")
def instance_refresh() -> None:
    """moto has no StartInstanceRefresh, so an apply that changes the launch
    template of an existing group fails where AWS starts a rolling refresh.
    Here a refresh is accepted and recorded with its strategy and
    preferences; it completes at once, since no instance boots in the
    emulator, and DescribeInstanceRefreshes reports it."""
    import datetime
    import uuid

    from moto.autoscaling.exceptions import ValidationError
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult

    def group_of(response):
        name = response._get_param("AutoScalingGroupName")
        group = response.autoscaling_backend.autoscaling_groups.get(name)
        if group is None:
            raise ValidationError(f"AutoScalingGroup name not found - {name}")
        return group

    def start_instance_refresh(self):
        group = group_of(self)
        now = datetime.datetime.now(datetime.timezone.utc)
        refresh = {
            "InstanceRefreshId": str(uuid.uuid4()),
            "AutoScalingGroupName": group.name,
            "Strategy": self._get_param("Strategy") or "Rolling",
            "Preferences": self._get_param("Preferences") or {},
            "Status": "Successful",
            "StatusReason": "Completed at once: no instance boots in the emulator",
            "StartTime": now,
            "EndTime": now,
            "PercentageComplete": 100,
            "InstancesToUpdate": 0,
        }
        group.instance_refreshes = [refresh, *getattr(group, "instance_refreshes", [])]
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self):
        return ActionResult({"InstanceRefreshes": getattr(group_of(self), "instance_refreshes", [])})

    AutoScalingResponse.start_instance_refresh = start_instance_refresh
    AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes


@correction("application-autoscaling-tags")
def application_autoscaling_tags() -> None:
    """moto's Application Auto Scaling has no tags: RegisterScalableTarget
    drops its Tags and ListTagsForResource is not implemented, so the
    provider, which reads a new scalable target's tags, retries that read
    until its create times out (an ECS service's or a Lambda alias's scaling
    target). Here a target keeps the tags it is registered with, and
    ListTagsForResource, TagResource and UntagResource work on them."""
    import json

    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def tags_of(response) -> Dict[str, Dict[str, str]]:
        backend = response.applicationautoscaling_backend
        if not hasattr(backend, "target_tags"):
            backend.target_tags = {}
        return backend.target_tags

    register = ApplicationAutoScalingResponse.register_scalable_target
    deregister = ApplicationAutoScalingResponse.deregister_scalable_target

    def register_scalable_target(self):
        answer = register(self)
        arn = json.loads(answer)["ScalableTargetARN"]
        tags = tags_of(self)
        tags[arn] = {**tags.get(arn, {}), **(self._get_param("Tags") or {})}
        return answer

    def deregister_scalable_target(self):
        namespace, resource, dimension = (self._get_param(k) for k in ("ServiceNamespace", "ResourceId", "ScalableDimension"))
        gone = [
            t.arn
            for t in self.applicationautoscaling_backend.describe_scalable_targets(namespace, [resource], dimension)
        ]
        answer = deregister(self)
        for arn in gone:
            tags_of(self).pop(arn, None)
        return answer

    def list_tags_for_resource(self):
        return json.dumps({"Tags": tags_of(self).get(self._get_param("ResourceARN"), {})})

    def tag_resource(self):
        arn = self._get_param("ResourceARN")
        tags_of(self)[arn] = {**tags_of(self).get(arn, {}), **(self._get_param("Tags") or {})}
        return "{}"

    def untag_resource(self):
        kept = tags_of(self).get(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            kept.pop(key, None)
        return "{}"

    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
    ApplicationAutoScalingResponse.deregister_scalable_target = deregister_scalable_target
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
    ApplicationAutoScalingResponse.tag_resource = tag_resource
    ApplicationAutoScalingResponse.untag_resource = untag_resource


@correction("state-machine-validation")
def state_machine_validation() -> None:
    """moto's Step Functions has no ValidateStateMachineDefinition, which
    the provider calls before it creates or updates a state machine, so the
    create fails. Here the call checks what AWS's validator checks first, the
    definition's structure: JSON with States and a StartAt among them, every
    transition (Next, Default, a choice's or a catcher's Next) to a state that
    exists, and every state either ending or going on. It answers FAIL with
    AWS's diagnostic codes, or OK."""
    import json

    from moto.stepfunctions.responses import StepFunctionResponse

    def diagnostics_of(definition: str):
        try:
            document = json.loads(definition)
        except ValueError as error:
            return [("INVALID_JSON_DESCRIPTION", f"Invalid JSON: {error}", "/")]
        found = []
        states = document.get("States") if isinstance(document, dict) else None
        if not isinstance(states, dict) or not states:
            return [("SCHEMA_VALIDATION_FAILED", "The field 'States' is required and must not be empty", "/States")]
        if document.get("StartAt") not in states:
            found.append(("MISSING_TRANSITION_TARGET", f"Missing 'StartAt' target: {document.get('StartAt')}", "/StartAt"))
        for name, state in states.items():
            kind = state.get("Type")
            where = f"/States/{name}"
            targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
            targets += [(f"Choices/{i}/Next", c.get("Next")) for i, c in enumerate(state.get("Choices") or [])]
            targets += [(f"Catch/{i}/Next", c.get("Next")) for i, c in enumerate(state.get("Catch") or [])]
            for field, target in targets:
                if target is not None and target not in states:
                    found.append(("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", f"{where}/{field}"))
            if kind in ("Task", "Pass", "Wait", "Parallel", "Map") and not (state.get("End") is True) ^ ("Next" in state):
                found.append(("SCHEMA_VALIDATION_FAILED", "A state must have exactly one of 'Next' or 'End': true", where))
            if kind == "Choice" and not state.get("Choices"):
                found.append(("SCHEMA_VALIDATION_FAILED", "A Choice state must have Choices", where))
            if kind not in ("Task", "Pass", "Wait", "Parallel", "Map", "Choice", "Succeed", "Fail"):
                found.append(("SCHEMA_VALIDATION_FAILED", f"Unknown state type: {kind}", f"{where}/Type"))
        return found

    def validate_state_machine_definition(self):
        found = diagnostics_of(self._get_param("definition") or "")
        return json.dumps(
            {
                "result": "FAIL" if found else "OK",
                "diagnostics": [{"severity": "ERROR", "code": code, "message": message, "location": location} for code, message, location in found],
                "truncated": False,
            }
        )

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition


@correction("state-machine-versions")
def state_machine_versions() -> None:
    """moto publishes state machine versions but has no
    ListStateMachineVersions, which the provider calls whenever it reads a
    state machine, so every read fails and the create times out. Here the
    call lists the machine's versions, newest first, as AWS does."""
    import datetime
    import json

    from moto.stepfunctions.responses import StepFunctionResponse

    def list_state_machine_versions(self):
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        versions = sorted(getattr(machine, "versions", {}).values(), key=lambda v: v.version, reverse=True)
        # The JSON protocol's timestamps are epoch seconds; moto keeps a naive UTC datetime.
        created = lambda v: v.creation_date.replace(tzinfo=datetime.timezone.utc).timestamp()  # noqa: E731
        return json.dumps({"stateMachineVersions": [{"stateMachineVersionArn": v.arn, "creationDate": created(v)} for v in versions]})

    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


@correction("ecs-service-fields")
def ecs_service_fields() -> None:
    """moto's CreateService drops a service's capacity-provider strategy,
    deployment configuration (circuit breaker, maximum and minimum percent),
    health-check grace period and managed tags, so DescribeServices reports
    none of them and every plan would set them again. Here the service keeps
    what it was created with (UpdateService already stores what it is sent)."""
    from moto.ecs.responses import EC2ContainerServiceResponse

    kept = {
        "capacityProviderStrategy": "capacity_provider_strategy",
        "deploymentConfiguration": "deployment_configuration",
        "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
        "enableECSManagedTags": "enable_ecs_managed_tags",
        "enableExecuteCommand": "enable_execute_command",
        "availabilityZoneRebalancing": "availability_zone_rebalancing",
    }
    create = EC2ContainerServiceResponse.create_service

    def create_service(self):
        answer = create(self)
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
        for param, attribute in kept.items():
            value = self._get_param(param)
            if value is not None:
                setattr(service, attribute, value)
        # AWS reports a strategy item's base and weight even when the request left them at 0.
        if getattr(service, "capacity_provider_strategy", None):
            service.capacity_provider_strategy = [{"base": 0, "weight": 0, **item} for item in service.capacity_provider_strategy]
        return answer

    EC2ContainerServiceResponse.create_service = create_service


@correction("rds-provisioned-cluster-scaling")
def rds_provisioned_cluster_scaling() -> None:
    """moto reports an (empty) serverless v1 ScalingConfigurationInfo on every
    Aurora cluster; AWS reports one only for engine mode serverless. The
    provider reads the empty block into state and every plan would fill in
    its defaults. Here a cluster without a scaling configuration reports
    none."""
    from moto.rds.models import DBCluster

    info = DBCluster.scaling_configuration_info.fget

    def scaling_configuration_info(self):
        return info(self) if self.scaling_configuration else None

    DBCluster.scaling_configuration_info = property(scaling_configuration_info)


@correction("rds-instance-monitoring")
def rds_instance_monitoring() -> None:
    """moto's CreateDBInstance drops enhanced monitoring (MonitoringInterval,
    MonitoringRoleArn) and Performance Insights (enabled, key, retention), so
    the Aurora instances read back without them and every plan would turn
    them on again. Here an instance keeps what it was created with."""
    from moto.rds.responses import RDSResponse

    kept = {
        "MonitoringInterval": "monitoring_interval",
        "MonitoringRoleArn": "monitoring_role_arn",
        "EnablePerformanceInsights": "performance_insights_enabled",
        "PerformanceInsightsKMSKeyId": "performance_insights_kms_key_id",
        "PerformanceInsightsRetentionPeriod": "performance_insights_retention_period",
    }
    create = RDSResponse.create_db_instance

    def create_db_instance(self):
        answer = create(self)
        [instance] = self.backend.describe_db_instances(self.params.get("DBInstanceIdentifier"))
        for param, attribute in kept.items():
            if self.params.get(param) is not None:
                setattr(instance, attribute, self.params[param])
        return answer

    RDSResponse.create_db_instance = create_db_instance


@correction("s3-eventbridge-notification")
def s3_eventbridge_notification() -> None:
    """moto stores a bucket's EventBridge notification but
    GetBucketNotificationConfiguration leaves it out, so the provider reads
    eventbridge = false and every plan would turn it on again (the batch
    tier's buckets). Here the answer carries EventBridgeConfiguration when it
    is on, as AWS's does."""
    from moto.core.responses import ActionResult
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self):
        configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if configuration is None or configuration.event_bridge is None:
            return original(self)
        serialize = self.serialized

        def with_event_bridge(result):
            if isinstance(result, ActionResult) and isinstance(result.result, dict):
                result.result["EventBridgeConfiguration"] = {}
            return serialize(result)

        # moto builds the answer from the topic, queue and Lambda configurations only; the EventBridge one joins it here.
        self.serialized = with_event_bridge
        try:
            return original(self)
        finally:
            del self.serialized

    S3Response.get_bucket_notification = get_bucket_notification


def install_trace(directory: str, port: str) -> None:
    """Diagnostics, not a correction. With WEB_TIER_EMULATOR_TRACE=<dir>, one
    JSON line per request goes to <dir>/trace-<port>.jsonl: when it came, the
    SDK's invocation id and attempt, the operation, the status, how long it
    waited for the request lock and took in all, and whether it was answered
    again from an earlier attempt (sdk-retry-replay); connections the client
    dropped before its answer was written, and werkzeug's warnings, too. The
    TLS session keys go to <dir>/tls-keys-<port>.log (SSLKEYLOGFILE format),
    so a packet capture of the loopback can be read. This is how a call the
    SDK sent twice is told from one moto ran twice (npm run bench:load counts
    them from it)."""
    import io
    import logging
    import threading
    import time
    import urllib.parse

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from werkzeug import serving

    os.makedirs(directory, exist_ok=True)
    out = open(os.path.join(directory, f"trace-{port}.jsonl"), "a", buffering=1)
    write_lock = threading.Lock()

    def emit(record) -> None:
        with write_lock:
            out.write(json.dumps(record) + "\n")

    def operation(environ) -> str:
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return target
        action = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("Action")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and 0 < length < 1 << 20:
            # Query-protocol calls name their action in the body: read it, and put it back for moto.
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action")
        return action[0] if action else f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"

    inner = DomainDispatcherApplication.__call__

    def __call__(self, environ, start_response):
        started = time.time()
        record = {
            "t": round(started, 3),
            "invocation": environ.get("HTTP_AMZ_SDK_INVOCATION_ID"),
            "attempt": environ.get("HTTP_AMZ_SDK_REQUEST"),
            "op": operation(environ),
            "port": environ.get("REMOTE_PORT"),
        }
        environ["web_tier.trace"] = record
        statuses = []

        def recording_start_response(status, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return inner(self, environ, recording_start_response)
        finally:
            record.update(
                status=statuses[0] if statuses else None,
                ms=round((time.time() - started) * 1000),
                lock_wait_ms=environ.get("web_tier.lock_wait_ms"),
                replayed=environ.get("web_tier.replayed", False),
            )
            emit(record)

    DomainDispatcherApplication.__call__ = __call__

    original_dropped = serving.WSGIRequestHandler.connection_dropped

    def connection_dropped(self, error, environ=None):
        record = (environ or {}).get("web_tier.trace", {})
        emit({"t": round(time.time(), 3), "dropped": repr(error), "invocation": record.get("invocation"), "op": record.get("op")})
        return original_dropped(self, error, environ)

    serving.WSGIRequestHandler.connection_dropped = connection_dropped

    original_adhoc = serving.generate_adhoc_ssl_context

    def generate_adhoc_ssl_context():
        context = original_adhoc()
        context.keylog_filename = os.path.join(directory, f"tls-keys-{port}.log")
        return context

    serving.generate_adhoc_ssl_context = generate_adhoc_ssl_context

    class Warnings(logging.Handler):
        def emit(self, entry) -> None:
            emit({"t": round(time.time(), 3), "log": entry.levelname, "message": entry.getMessage()[-2000:]})

    logging.getLogger("werkzeug").addHandler(Warnings(level=logging.WARNING))


def apply_corrections() -> None:
    for gap_id, apply in CORRECTIONS.items():
        try:
            apply()
        except (ImportError, AttributeError, TypeError) as error:
            sys.stderr.write(f"warning: emulator correction {gap_id} does not fit this moto ({error}); skipped\n")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here before the port is reported: the port
    the caller learns is one this process already holds, so nothing can take
    it in between (a port found free by the caller and passed in could be
    taken before moto bound it). A busy port is replaced by any free one."""
    for wanted in [port, 0] if port else [0]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # As werkzeug's own server does: a restart may reuse a port still in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, wanted))
        except OSError as error:
            sock.close()
            if error.errno == errno.EADDRINUSE and wanted != 0:
                continue
            raise
        sock.listen(socket.SOMAXCONN)
        return sock
    raise AssertionError("unreachable: binding port 0 either succeeds or raises")


def serve_on(sock: socket.socket) -> None:
    """moto's server.main, on `sock`: its own setup (MOTO_PORT, signals, the
    dispatcher app, the ad-hoc TLS context) with werkzeug told to use the
    bound socket instead of binding one."""
    from moto import server
    from werkzeug import serving

    host, port = sock.getsockname()[:2]

    def run_simple(hostname, _port, application, threaded=False, ssl_context=None, **_ignored):
        # moto's handler turns SIGTERM into sys.exit, which then waits for request threads; a stop
        # must free the port at once, even when the stopper exits right after signalling.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        httpd = serving.make_server(hostname, port, application, threaded=threaded, ssl_context=ssl_context, fd=sock.fileno())
        # Read by tools/sandbox/emulator.ts: the TLS context is ready and the socket listens.
        print(f"listening on {host}:{httpd.port}", flush=True)
        httpd.serve_forever()

    server.run_simple = run_simple
    server.main(["-H", host, "-p", str(port), "--ssl"])


def main() -> None:
    if sys.argv[1:] == ["--list"]:
        print(json.dumps(sorted(CORRECTIONS)))
        return
    host, port = sys.argv[1:3]
    try:
        from moto import server  # noqa: F401 — imported only to fail early, with the install hint
    except ImportError:
        sys.stderr.write("moto is not installed: pip install 'moto[server]==5.2.1'\n")
        sys.exit(3)
    sock = bind(host, int(port))
    apply_corrections()
    trace = os.environ.get("WEB_TIER_EMULATOR_TRACE")
    if trace:
        install_trace(trace, str(sock.getsockname()[1]))
    serve_on(sock)


if __name__ == "__main__":
    main()
