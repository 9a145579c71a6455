"""Send a few churn predictions and their labels to modelwatch, Avro-encoded through the schema registry.

    python -m venv .venv && .venv/bin/pip install -r examples/python/requirements.txt
    KAFKA_BROKERS=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 .venv/bin/python examples/python/produce.py

Settings come from the same environment variables modelwatch reads (README "Configuration"):
KAFKA_BROKERS, SCHEMA_REGISTRY_URL (both required), MODELWATCH_TOPIC_PREDICTIONS and
MODELWATCH_TOPIC_GROUND_TRUTH (defaults modelwatch.predictions / modelwatch.ground-truth), and when the
cluster needs them KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM/USERNAME/PASSWORD and
SCHEMA_REGISTRY_USERNAME/PASSWORD. Prints one line per delivered event; exits 1 if any was not delivered.
"""

import math
import os
import sys
import time
import uuid
from pathlib import Path

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer

# The contracts ship with modelwatch in schemas/events/; point MODELWATCH_SCHEMAS_DIR at a copy elsewhere.
SCHEMAS_DIR = Path(os.environ.get('MODELWATCH_SCHEMAS_DIR', Path(__file__).resolve().parents[2] / 'schemas' / 'events'))

# (tenure_months, monthly_spend, plan, churn score, label): five customers of a binary churn model.
# monthly_spend None is a missing value (a null in the Avro map), which modelwatch counts as missing.
CUSTOMERS = [
    (14, 52.5, 'pro', 0.82, '1'),
    (3, 19.0, 'basic', 0.35, '0'),
    (40, None, 'pro', 0.11, '0'),
    (7, 24.75, 'basic', 0.67, '1'),
    (26, 80.0, 'enterprise', 0.48, '1'),
]


def main(make_serializer=None) -> int:
    """Sends the five predictions and their labels; `make_serializer(registry, topic, kind)` says how values
    are encoded (Avro by default; produce_json_schema.py passes its JSON Schema serializer)."""
    make_serializer = make_serializer or avro_serializer
    brokers = required('KAFKA_BROKERS')
    registry = SchemaRegistryClient(registry_config(required('SCHEMA_REGISTRY_URL')))
    topics = {
        'prediction': os.environ.get('MODELWATCH_TOPIC_PREDICTIONS', 'modelwatch.predictions'),
        'ground-truth': os.environ.get('MODELWATCH_TOPIC_GROUND_TRUTH', 'modelwatch.ground-truth'),
    }
    serializers = {kind: make_serializer(registry, topic, kind) for kind, topic in topics.items()}
    # acks=all with idempotence: a retried send is never written twice to the topic.
    producer = Producer({'bootstrap.servers': brokers, 'acks': 'all', 'enable.idempotence': True, **kafka_security()})
    failures = []

    def send(kind: str, event: dict) -> None:
        check_finite(event)
        topic = topics[kind]
        value = serializers[kind](event, SerializationContext(topic, MessageField.VALUE))

        def delivered(error, message) -> None:
            if error is not None:
                failures.append(f"{kind} {event['event_id']}: {error}")
            else:
                print(f"delivered {kind} {event['event_id']} to {message.topic()}[{message.partition()}]@{message.offset()}")

        # Keyed by event_id, as the TypeScript producer does: a label lands on its prediction's partition.
        producer.produce(topic, key=StringSerializer()(event['event_id']), value=value, on_delivery=delivered)

    run = uuid.uuid4().hex[:8]
    now = int(time.time() * 1000)  # timestamps are long milliseconds since the epoch (UTC)
    for i, (tenure, spend, plan, score, _) in enumerate(CUSTOMERS):
        send('prediction', {
            'event_id': f'py-{run}-{i}',  # unique per model and version; the label joins on it
            'model': 'churn',
            'model_version': '3',
            'timestamp': now - 60_000 + i,
            'numeric_features': {'tenure_months': float(tenure), 'monthly_spend': spend},  # name -> double or None
            'categorical_features': {'plan': plan},  # name -> string or None
            # Binary classification: score is the positive class's probability. Fields left out are null;
            # multiclass models fill probabilities ({class: p}), regression models fill value.
            'prediction': {'score': score, 'predicted_class': '1' if score >= 0.5 else '0'},
            'segments': {'region': 'eu'},  # optional tags that performance is also broken down by
        })
    # Labels usually arrive much later; model may be left out (the label then applies to every model).
    for i, (*_, label) in enumerate(CUSTOMERS):
        send('ground-truth', {'event_id': f'py-{run}-{i}', 'model': 'churn', 'timestamp': now, 'label': {'class': label}})

    remaining = producer.flush(30)
    if remaining > 0:
        failures.append(f'{remaining} events still undelivered after 30 s')
    for failure in failures:
        print(f'not delivered: {failure}', file=sys.stderr)
    return 1 if failures else 0


def avro_serializer(registry: SchemaRegistryClient, topic: str, kind: str) -> AvroSerializer:
    """Registers the contract under `<topic>-value` (TopicNameStrategy) with compatibility BACKWARD, as
    modelwatch's TypeScript producer does, so both producers share one subject and one schema id."""
    # Registries compare schemas in canonical form: the same contract is found, not registered again.
    schema_str = (SCHEMAS_DIR / f'{kind}.avsc').read_text()
    registry.set_compatibility(subject_name=f'{topic}-value', level='BACKWARD')
    conf = {'auto.register.schemas': True, 'subject.name.strategy': topic_subject_name_strategy}
    return AvroSerializer(registry, schema_str, conf=conf)


def check_finite(value) -> None:
    """Avro encodes NaN and Infinity, but modelwatch refuses them (dead-letter topic); fail here instead."""
    if isinstance(value, dict):
        for item in value.values():
            check_finite(item)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f'{value} is not a finite number: modelwatch refuses NaN and Infinity')


def registry_config(url: str) -> dict:
    config = {'url': url}
    if os.environ.get('SCHEMA_REGISTRY_USERNAME'):
        config['basic.auth.user.info'] = f"{os.environ['SCHEMA_REGISTRY_USERNAME']}:{os.environ.get('SCHEMA_REGISTRY_PASSWORD', '')}"
    return config


def kafka_security() -> dict:
    """TLS and SASL from the variables modelwatch itself reads; none of them set means plaintext."""
    ssl = os.environ.get('KAFKA_SSL', 'false').lower() == 'true'
    mechanism = os.environ.get('KAFKA_SASL_MECHANISM')
    config = {'security.protocol': ('SASL_' if mechanism else '') + ('SSL' if ssl else 'PLAINTEXT')}
    if ssl and os.environ.get('KAFKA_SSL_CA_FILE'):
        config['ssl.ca.location'] = os.environ['KAFKA_SSL_CA_FILE']
    if mechanism:
        config['sasl.mechanism'] = mechanism.upper()  # plain, scram-sha-256, scram-sha-512
        config['sasl.username'] = os.environ.get('KAFKA_SASL_USERNAME', '')
        config['sasl.password'] = os.environ.get('KAFKA_SASL_PASSWORD', '')
    return config


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f'{name} is not set (see README "Configuration")')
    return value


if __name__ == '__main__':
    sys.exit(main())
