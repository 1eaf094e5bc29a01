"""CloudFormation's resource types per region, as the installed cfn-lint knows them.

cfn-lint ships one type list per region (cfnlint/data/schemas/providers/<region>.py); its
schema manager reads them. Reads a JSON list of resource types on stdin and writes
{"regions": [every region cfn-lint knows, in its order], "types": {region: [those of the
given types the region has]}}.
"""

import json
import sys

from cfnlint.helpers import REGIONS
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER


def main():
    wanted = set(json.load(sys.stdin))
    types = {
        region: sorted(wanted.intersection(PROVIDER_SCHEMA_MANAGER.get_resource_types(region)))
        for region in REGIONS
    }
    json.dump({"regions": list(REGIONS), "types": types}, sys.stdout)


if __name__ == "__main__":
    main()
