"""Independent check of the coordinator's /metrics: parses Prometheus' text exposition format with
the official client's parser (Debian's python3-prometheus-client) and prints every sample as JSON.
A malformed exposition raises, and the script exits non-zero."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append(
        {
            "name": family.name,
            "type": family.type,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
        }
    )
print(json.dumps(families))
