-- The share of zeroed ReLU outputs per feature group and event-time window, in Flink SQL.
--
-- Run by io.relustream.jobs.sql.SqlZeroFractionJob, which registers the relu-stream functions
-- (RELU, ZERO_FRACTION, DEAD_FEATURES, ...) and its own decoding functions (FEATURE_VECTOR,
-- FEATURE_EVENT_TIME, UNDECODABLE_REASON, DEAD_LETTER), fills in every ${...} from its options and
-- runs the two INSERTs as one statement set.

-- The Kafka records as they are: the value's bytes, its key and where it was read. The job's
-- functions decode the value as a plain Avro binary FeatureVector (the activation job's --format
-- avro); bytes that do not decode go to the dead letters, and the job goes on.
CREATE TEMPORARY TABLE features (
    `key` BYTES,
    payload BYTES,
    topic STRING NOT NULL METADATA VIRTUAL,
    `partition` INT NOT NULL METADATA VIRTUAL,
    `offset` BIGINT NOT NULL METADATA VIRTUAL,
    `timestamp` TIMESTAMP_LTZ(3) NOT NULL METADATA VIRTUAL,
    -- The record's event time; for bytes that do not decode, or an event time more than
    -- --max-event-time-skew ahead of the clock, the earliest TIMESTAMP(3) there is,
    -- 0000-01-01 00:00:00: the watermark it gives is behind every good record's, so it neither
    -- closes a window nor opens one (the windows only see records that decode).
    event_time AS FEATURE_EVENT_TIME(payload),
    -- One millisecond less, as Flink's bounded out-of-orderness watermarks (and the activation
    -- job's): a record exactly --out-of-orderness behind the newest is still on time.
    WATERMARK FOR event_time AS event_time - ${out_of_orderness} - INTERVAL '0 00:00:00.001' DAY(3) TO SECOND(3)
) WITH (
    'connector' = 'kafka',
    'topic' = '${input_topic}',
    'properties.bootstrap.servers' = '${bootstrap_servers}',
    'properties.group.id' = '${group_id}',
    -- Records of aborted upstream transactions are not input, as in the activation job
    -- (read_committed, unless --kafka.isolation.level says otherwise).
    'properties.isolation.level' = ${isolation_level},
    -- The other --kafka.<property>=<value> options, each as 'properties.<property>' = '<value>',
    ${kafka_properties}
    'scan.startup.mode' = 'earliest-offset',
    'scan.bounded.mode' = '${bounded_mode}',
    'key.format' = 'raw',
    'key.fields' = 'key',
    'value.format' = 'raw',
    'value.fields-include' = 'EXCEPT_KEY'
);

-- One JSON record per group and window, keyed by the group.
CREATE TEMPORARY TABLE zero_fraction (
    `group` STRING NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    window_end TIMESTAMP(3) NOT NULL,
    record_count BIGINT NOT NULL,
    zero_fraction DOUBLE,
    dead_features ARRAY<INT NOT NULL>
) WITH (
    'connector' = 'kafka',
    'topic' = '${output_topic}',
    'properties.bootstrap.servers' = '${bootstrap_servers}',
    -- The --kafka.<property>=<value> options, as for the input.
    ${kafka_properties}
    'key.format' = 'json',
    'key.fields' = 'group',
    'value.format' = 'json',
    'value.fields-include' = 'ALL',
    'value.json.timestamp-format.standard' = 'ISO-8601'
);

-- The records that do not decode, or whose event time the job does not take (see event_time
-- above), each as a DeadLetter in single-object Avro (the activation job's dead letters): the
-- bytes, the key, topic, partition and offset, and the reason. Keyed by the record's key; the
-- producer stamps the Kafka timestamp, when it fails.
CREATE TEMPORARY TABLE dead_letters (
    `key` BYTES,
    letter BYTES
) WITH (
    'connector' = 'kafka',
    'topic' = '${dlq_topic}',
    'properties.bootstrap.servers' = '${bootstrap_servers}',
    -- The --kafka.<property>=<value> options, as for the input.
    ${kafka_properties}
    'key.format' = 'raw',
    'key.fields' = 'key',
    'value.format' = 'raw',
    'value.fields-include' = 'EXCEPT_KEY'
);

-- The records that decode, as FeatureVectors.
CREATE TEMPORARY VIEW feature_vectors AS
SELECT v.id, event_time, v.`group`, v.`values`
FROM (SELECT event_time, FEATURE_VECTOR(payload) AS v FROM features)
WHERE v IS NOT NULL;

INSERT INTO zero_fraction
SELECT
    `group`,
    window_start,
    window_end,
    COUNT(*) AS record_count,
    ZERO_FRACTION(RELU(`values`)) AS zero_fraction,
    DEAD_FEATURES(RELU(`values`), 1.0) AS dead_features
FROM TABLE(TUMBLE(TABLE feature_vectors, DESCRIPTOR(event_time), ${window}))
GROUP BY `group`, window_start, window_end;

-- Run with the INSERT above as one statement set: one job, reading the input once.
INSERT INTO dead_letters
SELECT `key`, DEAD_LETTER(payload, `key`, topic, `partition`, `offset`, `timestamp`)
FROM features
WHERE UNDECODABLE_REASON(payload) IS NOT NULL;
