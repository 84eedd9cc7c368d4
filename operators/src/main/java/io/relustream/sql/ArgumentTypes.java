package io.relustream.sql;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentCount;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.ConstantArgumentCount;
import org.apache.flink.table.types.inference.InputTypeStrategy;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.utils.TypeConversions;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The argument rules the SQL functions share, checked while a query is planned: which types a
 * values argument may have and what it is cast to, and the literals (specs, alpha, thresholds) that
 * must be known before the query runs.
 *
 * <p>Every check fails with a {@link org.apache.flink.table.api.ValidationException} whose message
 * starts with the function's name, so a bad call never reaches a running job.
 */
final class ArgumentTypes {

    private ArgumentTypes() {}

    /** What a values argument may be. */
    enum Values {
        /**
         * DOUBLE, FLOAT, or an ARRAY of DOUBLE or FLOAT, kept as they are; other numbers are cast
         * to DOUBLE.
         */
        SCALAR_OR_ARRAY,
        /** An ARRAY of DOUBLE or FLOAT. */
        ARRAY
    }

    /** Checks one argument and returns the type the function takes it as. */
    @FunctionalInterface
    interface Argument {
        Optional<DataType> infer(CallContext context, int index, boolean throwOnFailure);
    }

    /**
     * An input strategy of fixed arguments, each checked by its rule; the first {@code required}
     * must be given, the rest may be left out. Another number of arguments fails naming the
     * arguments of the first signature.
     */
    static InputTypeStrategy sequence(
            int required, List<Signature> signatures, Argument... arguments) {
        return new InputTypeStrategy() {
            @Override
            public ArgumentCount getArgumentCount() {
                // Any count reaches the check below: the planner refuses a count outside this
                // range itself, with Calcite's "No match found for function signature F(..)",
                // which says neither how many arguments the function takes nor which.
                return ConstantArgumentCount.any();
            }

            @Override
            public Optional<List<DataType>> inferInputTypes(
                    CallContext context, boolean throwOnFailure) {
                List<DataType> types = new ArrayList<>();
                int given = context.getArgumentDataTypes().size();
                if (given < required || given > arguments.length) {
                    return fail(
                            context,
                            throwOnFailure,
                            context.getName()
                                    + " takes "
                                    + usage(required, signatures.get(0))
                                    + ", not "
                                    + arguments(given));
                }
                for (int i = 0; i < given; i++) {
                    Optional<DataType> type = arguments[i].infer(context, i, throwOnFailure);
                    if (type.isEmpty()) {
                        return Optional.empty();
                    }
                    types.add(type.get());
                }
                return Optional.of(types);
            }

            @Override
            public List<Signature> getExpectedSignatures(FunctionDefinition definition) {
                return signatures;
            }
        };
    }

    /**
     * The arguments of {@code signature} by name, those after the first {@code required} in
     * brackets: {@code (x [, dead_threshold])}.
     */
    static String usage(int required, Signature signature) {
        List<Signature.Argument> names = signature.getArguments();
        StringBuilder usage = new StringBuilder("(");
        for (int i = 0; i < names.size(); i++) {
            String separator = i == 0 ? "" : ", ";
            usage.append(i < required ? separator : " [" + separator)
                    .append(names.get(i).getName().orElse(names.get(i).getType()));
        }
        usage.append("]".repeat(Math.max(0, names.size() - required)));
        return usage.append(")").toString().replace("( [", "([");
    }

    /** {@code "1 argument"}, {@code "2 arguments"}. */
    static String arguments(int count) {
        return count + (count == 1 ? " argument" : " arguments");
    }

    /** {@code F(x)}: a values argument, the result of its type. */
    static TypeInference elementWise() {
        return TypeInference.newBuilder()
                .inputTypeStrategy(
                        sequence(
                                1,
                                signatures(List.of(), Values.SCALAR_OR_ARRAY, List.of()),
                                scalarValues()))
                .outputTypeStrategy(TypeStrategies.argument(0))
                .build();
    }

    /** A values argument of the given kind. */
    static Argument values(Values kind) {
        return (context, index, throwOnFailure) -> {
            LogicalType type = context.getArgumentDataTypes().get(index).getLogicalType();
            Optional<LogicalType> inferred = values(type, kind);
            if (inferred.isEmpty()) {
                return fail(
                        context,
                        throwOnFailure,
                        context.getName()
                                + " takes "
                                + (kind == Values.ARRAY
                                        ? "an ARRAY of DOUBLE or FLOAT"
                                        : "DOUBLE, FLOAT (other numbers are cast to DOUBLE) or an"
                                                + " ARRAY of DOUBLE or FLOAT")
                                + " as argument "
                                + (index + 1)
                                + ", not "
                                + type.asSummaryString()
                                + (type.is(LogicalTypeRoot.ARRAY)
                                        ? "; cast other arrays, e.g. CAST(x AS ARRAY<DOUBLE>)"
                                        : ""));
            }
            return Optional.of(TypeConversions.fromLogicalToDataType(inferred.get()));
        };
    }

    /**
     * The values argument of a scalar function: {@link Values#SCALAR_OR_ARRAY}, an array passed as
     * a {@link List} of {@code Double} or {@code Float} (its element type), a number as it is.
     *
     * <p>Not as {@code Double[]} or {@code Float[]}: Flink 2.2's own array functions (ARRAY_CONCAT,
     * ARRAY_REMOVE, ARRAY_SLICE, ...) give arrays that it hands to a function as an {@code
     * Object[]}, which no {@code Double[]} parameter takes (a ClassCastException while the job
     * runs). A {@code List} takes every array. The aggregates read their arguments from their input
     * row, where such arrays are already in Flink's binary form: they keep their array parameters.
     */
    static Argument scalarValues() {
        Argument values = values(Values.SCALAR_OR_ARRAY);
        return (context, index, throwOnFailure) ->
                values.infer(context, index, throwOnFailure)
                        .map(type -> isArray(type) ? type.bridgedTo(List.class) : type);
    }

    private static Optional<LogicalType> values(LogicalType type, Values kind) {
        if (type.is(LogicalTypeRoot.ARRAY)) {
            // No implicit cast of other arrays: Flink 2.2's implicit array casts read NULL
            // elements as primitives and fail at run time (its explicit CAST works).
            LogicalType element = ((ArrayType) type).getElementType();
            return isDoubleOrFloat(element) ? Optional.of(type) : Optional.empty();
        }
        if (kind == Values.ARRAY) {
            // An untyped NULL (e.g. DEAD_FEATURES(NULL, 1.0)) is a NULL ARRAY<DOUBLE>.
            return type.is(LogicalTypeRoot.NULL)
                    ? Optional.of(DataTypes.ARRAY(DataTypes.DOUBLE()).getLogicalType())
                    : Optional.empty();
        }
        if (isDoubleOrFloat(type)) {
            return Optional.of(type);
        }
        // An untyped NULL (e.g. RELU(NULL)) is a NULL DOUBLE.
        if (type.is(LogicalTypeRoot.NULL) || type.is(LogicalTypeFamily.NUMERIC)) {
            return Optional.of(DataTypes.DOUBLE().getLogicalType().copy(type.isNullable()));
        }
        return Optional.empty();
    }

    private static boolean isDoubleOrFloat(LogicalType type) {
        return type.is(LogicalTypeRoot.DOUBLE) || type.is(LogicalTypeRoot.FLOAT);
    }

    /**
     * A numeric literal's value as the checks of its argument read it: a FLOAT literal (the Table
     * API's {@code lit(0.3f)}) is the number written, 0.3, not the double 0.30000001192092896 it
     * widens to, which as a dead threshold would leave a feature zero in 3 of 10 rows alive.
     */
    static double writtenValue(Number literal) {
        return literal instanceof Float
                ? Double.parseDouble(literal.toString())
                : literal.doubleValue();
    }

    /** A dead threshold: a numeric literal in (0, 1]. */
    static Argument deadThreshold() {
        return (context, index, throwOnFailure) -> {
            if (!literalsKnown(context, index)) {
                return Optional.of(literalType(context, index));
            }
            if (isUntypedNullBeingTyped(context, index, throwOnFailure)) {
                return Optional.of(DataTypes.DOUBLE());
            }
            Optional<Double> threshold =
                    numericLiteral(context, index, "the dead threshold", "1.0", throwOnFailure);
            if (threshold.isEmpty()) {
                return Optional.empty();
            }
            double value = threshold.get();
            // Judged as written too: 1e-400 reads as 0 and 1e400 as inf, which the double's check
            // refuses naming numbers nobody wrote; 1.00000000000000000001 reads as 1, which it
            // would take though the number written is above 1.
            Optional<BigDecimal> written = writtenDecimal(context, index);
            boolean writtenInRange =
                    written.map(d -> d.signum() > 0 && d.compareTo(BigDecimal.ONE) <= 0)
                            .orElse(true);
            if (!(value > 0.0 && value <= 1.0 && writtenInRange)) {
                String named =
                        written.filter(d -> !standsFor(value, d))
                                .map(BigDecimal::toString)
                                .orElse(String.valueOf(value));
                return fail(
                        context,
                        throwOnFailure,
                        context.getName() + ": the dead threshold must be in (0, 1], not " + named);
            }
            return Optional.of(literalType(context, index));
        };
    }

    /**
     * The exact decimal of a numeric literal; empty for the Table API's NaN and infinities, which
     * no decimal holds.
     */
    private static Optional<BigDecimal> writtenDecimal(CallContext context, int index) {
        try {
            return context.getArgumentValue(index, BigDecimal.class);
        } catch (NumberFormatException notADecimal) {
            return Optional.empty();
        }
    }

    /**
     * Whether the double, as {@link Double#toString(double)} writes it, is the decimal. On Java 17
     * that is not always the shortest decimal that reads as the double ({@code 1e23} is written
     * {@code 9.999999999999999E22}): such a literal then counts as written otherwise, and a refusal
     * names it as it was written.
     */
    private static boolean standsFor(double value, BigDecimal decimal) {
        return Double.isFinite(value)
                && new BigDecimal(Double.toString(value)).compareTo(decimal) == 0;
    }

    /**
     * The type a numeric literal argument is taken as: its own, so that the planner casts nothing.
     * A cast would turn the literal into an expression, and the planner checks some calls again
     * after casting (an untyped NULL beside the literal makes it), when only a literal may pass.
     * The functions take such arguments as {@link Number}.
     */
    static DataType literalType(CallContext context, int index) {
        return context.getArgumentDataTypes().get(index);
    }

    /**
     * Whether the context can tell literals from other arguments. The planner checks an aggregate
     * call twice: while validating the query, where the literal is in the call, and again after it
     * has moved every argument into a projected column, where the context cannot tell (and throws
     * {@link UnsupportedOperationException}); the first check has then already been made.
     */
    static boolean literalsKnown(CallContext context, int index) {
        try {
            context.isArgumentLiteral(index);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Whether the argument is an untyped NULL in place of a literal while the planner infers the
     * types of such operands (the one check that does not throw). It must get a type there: without
     * one the planner stops at Calcite's "Illegal use of 'NULL'", which names neither the function
     * nor the argument; with one, the check that follows rejects the NULL literal saying both.
     */
    static boolean isUntypedNullBeingTyped(CallContext context, int index, boolean throwOnFailure) {
        return !throwOnFailure
                && context.getArgumentDataTypes()
                        .get(index)
                        .getLogicalType()
                        .is(LogicalTypeRoot.NULL);
    }

    /** Whether a values argument the strategy accepted is an array. */
    static boolean isArray(DataType type) {
        return type.getLogicalType().getTypeRoot() == LogicalTypeRoot.ARRAY;
    }

    /** A character string literal, not NULL: a spec. */
    static Optional<String> stringLiteral(
            CallContext context, int index, String what, String example, boolean throwOnFailure) {
        LogicalType type = context.getArgumentDataTypes().get(index).getLogicalType();
        if (!type.is(LogicalTypeFamily.CHARACTER_STRING)
                || !context.isArgumentLiteral(index)
                || context.isArgumentNull(index)) {
            return fail(
                    context,
                    throwOnFailure,
                    context.getName()
                            + ": the "
                            + what
                            + " must be a string literal, e.g. "
                            + example
                            + "; argument "
                            + (index + 1)
                            + " is "
                            + describe(context, index, type));
        }
        Optional<String> value = context.getArgumentValue(index, String.class);
        if (value.isEmpty()) {
            return fail(
                    context,
                    throwOnFailure,
                    context.getName() + ": the " + what + " must be a string literal");
        }
        return value;
    }

    /** A numeric literal, not NULL, as a double. */
    static Optional<Double> numericLiteral(
            CallContext context, int index, String what, String example, boolean throwOnFailure) {
        LogicalType type = context.getArgumentDataTypes().get(index).getLogicalType();
        Optional<Double> value = Optional.empty();
        if (type.is(LogicalTypeFamily.NUMERIC)
                && context.isArgumentLiteral(index)
                && !context.isArgumentNull(index)) {
            value = literalDouble(context, index);
        }
        if (value.isEmpty()) {
            return fail(
                    context,
                    throwOnFailure,
                    context.getName()
                            + ": "
                            + what
                            + " must be a numeric literal, e.g. "
                            + example
                            + "; argument "
                            + (index + 1)
                            + " is "
                            + describe(context, index, type));
        }
        return value;
    }

    private static Optional<Double> literalDouble(CallContext context, int index) {
        // Exact numeric literals (SQL's 0.1 is DECIMAL(2, 1)) read as BigDecimal, approximate ones
        // (2.5E-1, or the Table API's lit(Double.NaN), which no BigDecimal holds) as Double or
        // Float: the value the function gets at run time, as a Number, widened the same way.
        LogicalType type = context.getArgumentDataTypes().get(index).getLogicalType();
        if (type.is(LogicalTypeFamily.EXACT_NUMERIC)) {
            return context.getArgumentValue(index, BigDecimal.class).map(BigDecimal::doubleValue);
        }
        if (type.is(LogicalTypeRoot.FLOAT)) {
            // The Table API's lit(0.25f): read as the float it is, widened as the function will.
            return context.getArgumentValue(index, Float.class).map(Float::doubleValue);
        }
        return context.getArgumentValue(index, Double.class);
    }

    /**
     * The decimal a numeric literal was written as, when the double it reads as is another number:
     * a decimal other than 0 below the smallest double reads as 0, one beyond the largest as an
     * infinity (SQL's {@code 1e-400} and {@code 1e400}), and the Table API's FLOAT {@code -0.1f}
     * widens to {@code -0.10000000149011612}; also a decimal that Java 17 writes otherwise (see
     * {@link #standsFor}). Empty for every other literal, among them the Table API's NaN and
     * infinities, which are doubles written as such.
     */
    static Optional<BigDecimal> unreadableDecimal(CallContext context, int index, double value) {
        return writtenDecimal(context, index).filter(decimal -> !standsFor(value, decimal));
    }

    private static String describe(CallContext context, int index, LogicalType type) {
        if (context.isArgumentLiteral(index) && context.isArgumentNull(index)) {
            return "NULL";
        }
        return (context.isArgumentLiteral(index) ? "a literal of type " : "an expression of type ")
                + type.asSummaryString();
    }

    /** Fails the call with exactly {@code message} (never read as a format string). */
    static <T> Optional<T> fail(CallContext context, boolean throwOnFailure, String message) {
        return context.fail(throwOnFailure, "%s", message);
    }

    /** The signatures shown in errors, e.g. {@code RELU(x DOUBLE)}, the values argument named x. */
    static List<Signature> signatures(
            List<Signature.Argument> before, Values kind, List<Signature.Argument> after) {
        List<String> types = new ArrayList<>();
        if (kind != Values.ARRAY) {
            types.add("DOUBLE");
            types.add("FLOAT");
        }
        types.add("ARRAY<DOUBLE>");
        types.add("ARRAY<FLOAT>");
        List<Signature> signatures = new ArrayList<>();
        for (String type : types) {
            List<Signature.Argument> arguments = new ArrayList<>(before);
            arguments.add(Signature.Argument.of("x", type));
            arguments.addAll(after);
            signatures.add(Signature.of(arguments));
        }
        return signatures;
    }
}
