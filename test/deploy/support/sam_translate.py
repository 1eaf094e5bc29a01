"""SAM's own transform (aws-sam-translator), offline, for test/deploy.

Reads a JSON list of jobs on stdin, each {"id", "region", "template", "parameters"}, and
writes a JSON list of results, each {"id", "template", "applications"} or {"id", "errors"}.
`template` is a SAM template as JSON whose local artefact paths (CodeUri) the caller has
already replaced with s3:// URIs, as `sam package` does.

This is samtranslator.translator.transform.transform() with two parts that would need an
AWS account made offline, through the Translator's own parameters:

- Managed policies: the translator resolves AWS managed policy names from the map bundled
  with it first; only a name missing there would be looked up in IAM. That lookup raises
  here, so a template that needs it fails loudly instead of reaching for credentials.
- Nested applications (AWS::Serverless::Application with Location.ApplicationId and
  SemanticVersion): the translator's ServerlessAppPlugin calls the Serverless Application
  Repository's CreateCloudFormationTemplate and puts the returned TemplateUrl into the
  AWS::CloudFormation::Stack it makes. The plugin takes a SAR client (its constructor's
  sar_client_creator); ours is a real botocore client whose calls botocore's Stubber answers
  in process, for the (ApplicationId, SemanticVersion) pairs of the template, resolved the way
  the plugin resolves them (parameters, then Fn::FindInMap); the request is still validated
  against the service model. The plugin's own check stays: it refuses regions where botocore's
  endpoint data has no Serverless Application Repository.

Each job sets the region the translator sees (boto session and AWS_DEFAULT_REGION): its
output depends on the partition (e.g. managed policy ARNs), so callers translate per region.
"""

import copy
import json
import os
import sys

import boto3
from botocore.stub import Stubber
from samtranslator.intrinsics.actions import FindInMapAction
from samtranslator.intrinsics.resolver import IntrinsicsResolver
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
from samtranslator.sdk.parameter import SamParameterValues
from samtranslator.translator.translator import Translator
from samtranslator.utils.py27hash_fix import (
    to_py27_compatible_template,
    undo_mark_unicode_str_in_template,
)

NESTED_APPLICATION = "AWS::Serverless::Application"


def offline_session(region):
    # Explicit dummy credentials: botocore never searches the environment or instance metadata.
    return boto3.session.Session(
        region_name=region, aws_access_key_id="offline", aws_secret_access_key="offline"
    )


def no_iam_lookup():
    raise RuntimeError(
        "the template names a managed policy that is not in aws-sam-translator's bundled map; "
        "SAM would look it up in IAM, which needs an AWS account"
    )


def nested_applications(template, parameter_values):
    """(ApplicationId, SemanticVersion) of each nested application, resolved as the plugin does
    (parameters and pseudo parameters, then Fn::FindInMap)."""
    resolvers = [
        IntrinsicsResolver(parameter_values),
        IntrinsicsResolver(
            template.get("Mappings", {}), {FindInMapAction.intrinsic_name: FindInMapAction()}
        ),
    ]
    found = []
    for resource in template.get("Resources", {}).values():
        location = resource.get("Properties", {}).get("Location")
        if resource.get("Type") != NESTED_APPLICATION or not isinstance(location, dict):
            continue
        pair = []
        for key in ("ApplicationId", "SemanticVersion"):
            value = copy.deepcopy(location.get(key))
            for resolver in resolvers:
                value = resolver.resolve_parameter_refs(value)
            pair.append(value)
        if all(isinstance(v, str) for v in pair) and tuple(pair) not in found:
            found.append(tuple(pair))
    return found


def stubbed_sar_client(session, region, applications):
    """A Serverless Application Repository client that answers CreateCloudFormationTemplate."""
    client = session.client("serverlessrepo")
    # The S3 host of the region's partition, as SAR's pre-signed template URLs use it.
    dns_suffix = client.meta.endpoint_url.split(f".{region}.", 1)[1]
    stubber = Stubber(client)
    for index, (application_id, version) in enumerate(applications):
        name = application_id.rsplit("/", 1)[-1]
        stubber.add_response(
            "create_cloud_formation_template",
            {
                "ApplicationId": application_id,
                "SemanticVersion": version,
                "Status": "ACTIVE",
                "TemplateId": f"offline-{index}",
                "TemplateUrl": f"https://awsserverlessrepo-changesets-offline.s3.{region}"
                f".{dns_suffix}/{name}/{version}/template.yaml",
            },
            {"ApplicationId": application_id, "SemanticVersion": version},
        )
    stubber.activate()
    return client


def translate(job):
    region = job["region"]
    template = job["template"]
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator's region checks read it
    session = offline_session(region)

    parameter_values = dict(job.get("parameters") or {})
    defaults = SamParameterValues(parameter_values)
    defaults.add_default_parameter_values(template)
    defaults.add_pseudo_parameter_values(session)
    applications = nested_applications(template, defaults.parameter_values)

    plugin = ServerlessAppPlugin(
        # Created only when a nested application asks for it (a client costs ~80 ms).
        sar_client_creator=lambda: stubbed_sar_client(session, region, applications),
        parameters=defaults.parameter_values,
    )
    translator = Translator(None, Parser(), plugins=[plugin], boto_session=session)
    to_py27_compatible_template(template, parameter_values)
    try:
        output = translator.translate(
            template, parameter_values=parameter_values, get_managed_policy_map=no_iam_lookup
        )
    finally:
        translator.metrics.publish()  # to its dummy publisher; else it warns on stderr
    return {
        "template": undo_mark_unicode_str_in_template(output),
        "applications": [list(pair) for pair in applications],
    }


def main():
    results = []
    for job in json.load(sys.stdin):
        try:
            results.append({"id": job["id"], **translate(job)})
        except InvalidDocumentException as error:
            results.append({"id": job["id"], "errors": [c.message for c in error.causes]})
        except Exception as error:  # reported per job; the caller decides
            results.append({"id": job["id"], "errors": [f"{type(error).__name__}: {error}"]})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
