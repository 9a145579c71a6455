"""The same predictions and labels as produce.py, JSON-encoded and framed with modelwatch's JSON Schema
contracts (schemas/events/*.schema.json, draft 2020-12) through the schema registry.

    python -m venv .venv && .venv/bin/pip install -r examples/python/requirements.txt
    KAFKA_BROKERS=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 .venv/bin/python examples/python/produce_json_schema.py

Settings and output as for produce.py. Use one encoding per topic: a subject holds Avro or JSON Schema
versions, not both.
"""

import sys

from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.json_schema import JSONSerializer

from produce import SCHEMAS_DIR, main


def json_schema_serializer(registry: SchemaRegistryClient, topic: str, kind: str) -> JSONSerializer:
    """Registers the contract under `<topic>-value` as schema type JSON with compatibility BACKWARD, as
    modelwatch's TypeScript producer does with format 'json-schema' (same file, same subject, one id), and
    validates every event against it before it is sent."""
    schema_str = (SCHEMAS_DIR / f'{kind}.schema.json').read_text()
    registry.set_compatibility(subject_name=f'{topic}-value', level='BACKWARD')
    conf = {'auto.register.schemas': True, 'subject.name.strategy': topic_subject_name_strategy}
    return JSONSerializer(schema_str, registry, conf=conf)


if __name__ == '__main__':
    sys.exit(main(json_schema_serializer))
