-- The share of zeroed ReLU outputs per feature group and event-time window, in Flink SQL.
--
-- Run by io.relustream.jobs.sql.SqlZeroFractionJob, which registers the relu-stream functions
-- (RELU, ZERO_FRACTION, DEAD_FEATURES, ...) and fills in every ${...} from its options.

-- FeatureVector records as plain Avro binary (the activation job's --format avro). Flink derives
-- the reader schema from these columns: NOT NULL everywhere, so that no column becomes a union
-- with null and the binary layout is exactly io.relustream.avro.FeatureVector's
-- (string, timestamp-millis long, string, array of double).
CREATE TEMPORARY TABLE features (
    id STRING NOT NULL,
    event_time TIMESTAMP(3) NOT NULL,
    `group` STRING NOT NULL,
    `values` ARRAY<DOUBLE NOT NULL> NOT NULL,
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
    'format' = 'avro'
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

INSERT INTO zero_fraction
SELECT
    `group`,
    window_start,
    window_end,
    COUNT(*) AS record_count,
    ZERO_FRACTION(RELU(`values`)) AS zero_fraction,
    DEAD_FEATURES(RELU(`values`), 1.0) AS dead_features
FROM TABLE(TUMBLE(TABLE features, DESCRIPTOR(event_time), ${window}))
GROUP BY `group`, window_start, window_end;
