"""IAM actions' resource types and ARN formats, from the Service Authorization Reference data
that cfn-lint ships (cfnlint/data/AdditionalSpecs/Policies.json, which cfn-lint's own IAM rules
use). Read without importing cfn-lint, which takes a second.

Reads a JSON list of actions ("service:Action") on stdin and writes {action: {resource type:
[ARN formats]}}; an action the data does not have maps to null.
"""

import importlib.util
import json
import os
import sys


def main():
    root = importlib.util.find_spec("cfnlint").submodule_search_locations[0]
    with open(os.path.join(root, "data", "AdditionalSpecs", "Policies.json"), encoding="utf-8") as f:
        services = json.load(f)
    out = {}
    for action in json.load(sys.stdin):
        prefix, name = action.split(":", 1)
        service = services.get(prefix.lower(), {})
        entry = service.get("Actions", {}).get(name.lower())
        out[action] = None if entry is None else {
            resource: service["Resources"][resource]["ARNFormats"]
            for resource in entry.get("Resources", [])
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
