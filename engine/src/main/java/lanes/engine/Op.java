package lanes.engine;

import lanes.kernels.Bf16;
import lanes.kernels.Kernels;

/**
 * One compiled step of a {@link Model}'s forward pass over {@code rows} examples: reads {@code inSize}
 * floats per row at x, writes {@code outSize} per row at y. Ops hold everything they need, already laid
 * out; running one allocates nothing and changes no field, so one op serves any number of threads.
 *
 * <p>Layers that move no data (Flatten, Reshape, a linear Activation, Dropout or Identity kept as one)
 * compile to no op at all.
 */
abstract class Op {
    /** Floats per row read and written. */
    final int inSize, outSize;
    /** Whether x and y may be the same array and offset (element-wise ops). */
    final boolean inPlace;

    Op(int inSize, int outSize, boolean inPlace) {
        this.inSize = inSize;
        this.outSize = outSize;
        this.inPlace = inPlace;
    }

    /** Runs on {@code rows} rows; {@code ws} is the caller's kernel scratch (a predictor's own, or its thread's). */
    abstract void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff);

    /** A short description for errors and events. */
    abstract String describe();

    /** The element-wise part of an activation; softmax is left to the model's output step. */
    static void activate(Kernels k, Activation a, int n, float[] y, int yOff) {
        switch (a) {
            case RELU -> k.reluForward(n, y, yOff, y, yOff);
            case SIGMOID -> k.sigmoid(n, y, yOff, y, yOff);
            case TANH -> k.tanh(n, y, yOff, y, yOff);
            case LINEAR, SOFTMAX -> { }
        }
    }

    /**
     * y (rows, units) = act(x (rows, inputs)·W + b), zeros of x skipped (an MNIST digit is mostly zeros).
     * With {@code packed} (W in bf16, {@link Bf16#pack}; W itself then holds the rounded values), a single
     * row reads the packed kernel, half the bytes, for the same bits as W's float GEMM.
     */
    static final class Dense extends Op {
        final float[] kernel, bias;
        final int[] packed;
        final Activation activation;

        Dense(int inputs, int units, float[] kernel, float[] bias, Activation activation, int[] packed) {
            super(inputs, units, false);
            this.kernel = kernel;
            this.bias = bias;
            this.activation = activation;
            this.packed = packed;
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            int in = inSize, out = outSize;
            if (rows == 1 && packed != null) k.matmulSkipZerosBf16Row(out, in, x, xOff, packed, y, yOff);
            else k.matmulSkipZeros(rows, out, in, x, xOff, in, kernel, 0, out, y, yOff, out, false, ws);
            k.addBias(rows, out, y, yOff, bias, 0);
            activate(k, activation, rows * out, y, yOff);
        }

        @Override
        String describe() {
            return "Dense " + inSize + " -> " + outSize + " " + activation + (packed != null ? " bf16" : "");
        }
    }

    /** NHWC convolution, then the activation in place. */
    static final class Conv extends Op {
        final Shape in, out;
        final int kH, kW, strideH, strideW, padTop, padLeft;
        final float[] kernel, bias;
        final Activation activation;

        Conv(Shape in, Shape out, Conv2D c, float[] kernel, float[] bias, Activation activation) {
            super(in.size(), out.size(), false);
            this.in = in;
            this.out = out;
            this.kH = c.kernelH();
            this.kW = c.kernelW();
            this.strideH = c.strideH();
            this.strideW = c.strideW();
            this.padTop = c.padding().top();
            this.padLeft = c.padding().left();
            this.kernel = kernel;
            this.bias = bias;
            this.activation = activation;
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            k.conv2d(rows, in.height(), in.width(), in.channels(), out.channels(), kH, kW, strideH, strideW,
                    padTop, padLeft, out.height(), out.width(), x, xOff, kernel, 0, bias, 0, y, yOff, ws);
            activate(k, activation, rows * outSize, y, yOff);
        }

        @Override
        String describe() {
            return "Conv2D " + kH + "×" + kW + " " + in + " -> " + out + " " + activation;
        }
    }

    /**
     * A ReLU convolution and the 2×2, stride-2 max pooling after it, as one kernel call
     * ({@link Kernels#conv2dReluPool}): the same bits as {@link Conv} then {@link MaxPool}, without the
     * full-size convolution output between them where the kernels run it as one pass.
     */
    static final class ConvReluPool extends Op {
        /** The convolution, its output the full-size (unpooled) shape. */
        final Conv conv;
        final Shape pooled;

        ConvReluPool(Conv conv, Shape pooled) {
            super(conv.inSize, pooled.size(), false);
            this.conv = conv;
            this.pooled = pooled;
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            Conv c = conv;
            k.conv2dReluPool(rows, c.in.height(), c.in.width(), c.in.channels(), c.out.channels(), c.kH, c.kW, c.strideH,
                    c.strideW, c.padTop, c.padLeft, c.out.height(), c.out.width(), x, xOff, c.kernel, 0, c.bias, 0, y, yOff, ws);
        }

        @Override
        String describe() {
            return "Conv2D " + conv.kH + "×" + conv.kW + " " + conv.in + " -> " + conv.out + " RELU, MaxPool2D 2×2 -> " + pooled;
        }
    }

    /** NHWC max pooling; padded cells never win. */
    static final class MaxPool extends Op {
        final Shape in, out;
        final MaxPool2D p;

        MaxPool(Shape in, Shape out, MaxPool2D p) {
            super(in.size(), out.size(), false);
            this.in = in;
            this.out = out;
            this.p = p;
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            k.maxPool2d(rows, in.height(), in.width(), in.channels(), p.poolH(), p.poolW(), p.strideH(), p.strideW(),
                    p.padding().top(), p.padding().left(), out.height(), out.width(), x, xOff, y, yOff);
        }

        @Override
        String describe() {
            return "MaxPool2D " + in + " -> " + out;
        }
    }

    /** An element-wise activation on its own (relu, sigmoid, tanh). */
    static final class Act extends Op {
        final Activation activation;

        Act(int size, Activation activation) {
            super(size, size, true);
            this.activation = activation;
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            if (x != y || xOff != yOff) System.arraycopy(x, xOff, y, yOff, rows * inSize);
            activate(k, activation, rows * inSize, y, yOff);
        }

        @Override
        String describe() {
            return "Activation " + activation;
        }
    }

    /**
     * y = fma(x, scale[c], shift[c]) per channel c (the last axis): a batch normalization that follows no
     * Conv2D or Dense to fold into, or the input range's low + x·(high − low). Plain Java on both kernel
     * paths, so the same bits whichever kernels run.
     */
    static final class Affine extends Op {
        final float[] scale, shift;
        final String what;

        Affine(int size, float[] scale, float[] shift, String what) {
            super(size, size, true);
            this.scale = scale;
            this.shift = shift;
            this.what = what;
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            int c = scale.length, cells = rows * inSize / c;
            for (int p = 0, i = 0; p < cells; p++) {
                for (int j = 0; j < c; j++, i++) y[yOff + i] = Math.fma(x[xOff + i], scale[j], shift[j]);
            }
        }

        @Override
        String describe() {
            return what;
        }
    }

    /** A network of no-op layers alone still copies its input to the output buffer. */
    static final class Copy extends Op {
        Copy(int size) {
            super(size, size, false);
        }

        @Override
        void run(Kernels k, Kernels.Workspace ws, int rows, float[] x, int xOff, float[] y, int yOff) {
            System.arraycopy(x, xOff, y, yOff, rows * inSize);
        }

        @Override
        String describe() {
            return "Copy";
        }
    }
}
