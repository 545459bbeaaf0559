"""The Python side of the simple_map_filter benchmark: Sentry Streams' simple_map_filter example
written as a Python user would, with confluent-kafka and the json module. Run with
/usr/bin/python3 (Debian's python3-confluent-kafka).

    simple_map_filter.py BOOTSTRAP

Reads ingest-metrics, keeps the metrics whose "type" is "c", adds "transformed": true and writes
them to transformed-events with their key, until SIGTERM; then flushes and exits 0.
"""
import json
import signal
import sys

from confluent_kafka import Consumer, Producer

running = True


def stop(*_):
    global running
    running = False


def main():
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bootstrap = sys.argv[1]
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "simple_map_filter",
        "auto.offset.reset": "earliest",
        "log_level": 3,
    })
    # Idempotent, like the pipeline's Kafka sink.
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "log_level": 3})
    consumer.subscribe(["ingest-metrics"])
    # Learn the output topic's partitions before the first record, as the pipeline's Kafka sink
    # does when it starts: otherwise librdkafka holds the first records back for up to a second,
    # then sends them in one burst, and the benchmark (timed from the first output record to the
    # last) would credit Python with that burst.
    producer.list_topics("transformed-events", timeout=10)
    while running:
        # A short timeout: a long one would hold the last, partial batch back.
        for msg in consumer.consume(num_messages=500, timeout=0.01):
            if msg.error():
                continue
            metric = json.loads(msg.value())
            if metric.get("type") != "c":
                continue
            metric["transformed"] = True
            value = json.dumps(metric).encode()
            while True:
                try:
                    producer.produce("transformed-events", value, msg.key())
                    break
                except BufferError:
                    producer.poll(0.01)
        producer.poll(0)
    producer.flush(60)
    consumer.close()


if __name__ == "__main__":
    main()
