"""The Python side of the Kafka -> map -> Kafka benchmark: the same consume-then-produce loop as
the plain C++ one, written with confluent-kafka as a Python user would (batch consume, produce,
poll). Run with /usr/bin/python3 (Debian's python3-confluent-kafka).

    kafka_loop.py BOOTSTRAP INPUT OUTPUT GROUP COUNT

Consumes COUNT records of INPUT as consumer group GROUP, produces each, upper-cased, with its key to
OUTPUT, flushes, and prints one JSON line: the records consumed, the seconds from the first record
consumed to the last one delivered, and how many were left undelivered.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer


def main():
    bootstrap, source, sink, group, count = sys.argv[1:6]
    count = int(count)
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "range",
        "queued.min.messages": 1000000,
        "log_level": 3,
    })
    # The same producer settings as the pipeline's Kafka sink and the C++ loop.
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "log_level": 3})
    consumer.subscribe([source])
    # Learn the output topic's partitions now, as the pipeline's sink and the C++ loop do, rather
    # than holding the first records back for up to 1 s on the first produce.
    producer.list_topics(sink, timeout=10)

    consumed = 0
    started = None
    while consumed < count:
        # A short timeout: a long one holds the last, partial batch back.
        for msg in consumer.consume(num_messages=512, timeout=0.001):
            if msg.error():
                continue
            if started is None:
                started = time.perf_counter()
            consumed += 1
            while True:
                try:
                    producer.produce(sink, msg.value().upper(), msg.key())
                    break
                except BufferError:
                    producer.poll(0.01)
        producer.poll(0)
    remaining = producer.flush(60)
    seconds = time.perf_counter() - started
    consumer.close()
    print(json.dumps({"consumed": consumed, "seconds": seconds, "remaining": remaining}))


if __name__ == "__main__":
    main()
