package io.relustream.sql;

/**
 * {@link ArgumentTypes#writtenValue} of the literal a call site passes on every row, read once: a
 * FLOAT literal's value goes through its decimal form, too slow to redo per row.
 */
final class WrittenValues {

    private Number last;
    private double value;

    double of(Number literal) {
        if (!literal.equals(last)) {
            value = ArgumentTypes.writtenValue(literal);
            last = literal;
        }
        return value;
    }
}
