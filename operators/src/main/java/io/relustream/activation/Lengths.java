package io.relustream.activation;

/** Argument checks shared by the batch kernels. */
final class Lengths {

    private Lengths() {}

    static void requireSame(int inputLength, int outputLength) {
        if (inputLength != outputLength) {
            throw new IllegalArgumentException(
                    "Output array has length "
                            + outputLength
                            + " but the input has length "
                            + inputLength
                            + "; they must be equal");
        }
    }
}
