package io.relustream.activation;

/** Argument checks shared by the batch kernels. */
final class Lengths {

    private Lengths() {}

    static void requireSame(int inputLength, int outputLength) {
        requireSame(inputLength, outputLength, "Output");
    }

    /** As {@link #requireSame(int, int)}, naming the array, e.g. {@code Derivative}. */
    static void requireSame(int inputLength, int outputLength, String array) {
        if (inputLength != outputLength) {
            throw new IllegalArgumentException(
                    array
                            + " array has length "
                            + outputLength
                            + " but the input has length "
                            + inputLength
                            + "; they must be equal");
        }
    }
}
