/**
 * The arithmetic: GEMM, activations, softmax, loss and Adam, a Vector API implementation and its scalar
 * twin, and the batch scheduler.
 *
 * <p>The Vector API is read only when the JVM was started with {@code --add-modules jdk.incubator.vector}
 * ({@code requires static}: the module is optional, and without it the scalar kernels run).
 */
module dev.lanes.kernels {
    requires static jdk.incubator.vector;

    exports lanes.kernels;
}
