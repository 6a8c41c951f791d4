package lanes.engine;

import java.util.Arrays;

/**
 * A 2-D convolution over NHWC images (dilation 1, one group): for each output cell and filter,
 * {@code y = activation(Σ_{kh,kw,ic} x[oh·sH + kh − top][ow·sW + kw − left][ic] · w[kh][kw][ic][f] + bias[f])},
 * padded cells counting as zero. Output size per axis: floor((in + padBefore + padAfter − k) / stride) + 1.
 * Each side's padding is smaller than the kernel on that axis (as "same" padding always is), so every
 * window touches the image and a file cannot make the padded image arbitrarily large.
 *
 * <p>{@code kernel} is HWIO, [kernelH][kernelW][inChannels][filters] row-major (Keras' layout);
 * {@code bias} has one entry per filter. The arrays are not copied (as {@link DenseWeights});
 * equality looks at their contents bit for bit.
 */
public record Conv2D(int kernelH, int kernelW, int inChannels, int filters, int strideH, int strideW,
                     Padding padding, Activation activation, float[] kernel, float[] bias) implements Layer {

    /** @throws IllegalArgumentException if a size is not positive or an array does not match the sizes */
    public Conv2D {
        Geometry.positive("kernelH", kernelH);
        Geometry.positive("kernelW", kernelW);
        Geometry.positive("inChannels", inChannels);
        Geometry.positive("filters", filters);
        Geometry.positive("strideH", strideH);
        Geometry.positive("strideW", strideW);
        Geometry.notNull("padding", padding);
        Geometry.notNull("activation", activation);
        Geometry.notNull("kernel", kernel);
        Geometry.notNull("bias", bias);
        checkPadding(padding, kernelH, kernelW);
        long expected = (long) kernelH * kernelW * inChannels * filters;
        if (kernel.length != expected) throw new IllegalArgumentException("kernel must have kernelH × kernelW × "
                + "inChannels × filters = " + kernelH + " × " + kernelW + " × " + inChannels + " × " + filters
                + " = " + expected + " elements, has " + kernel.length);
        if (bias.length != filters) throw new IllegalArgumentException(
                "bias must have one element per filter (" + filters + "), has " + bias.length);
    }

    /** @throws IllegalArgumentException if a side's padding is not smaller than the kernel on that axis */
    static void checkPadding(Padding p, int kernelH, int kernelW) {
        if (p.top() >= kernelH || p.bottom() >= kernelH || p.left() >= kernelW || p.right() >= kernelW)
            throw new IllegalArgumentException("Conv2D padding must be smaller than the " + kernelH + "×" + kernelW
                    + " kernel on each side, got " + p);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.channels() != inChannels) throw new IllegalArgumentException("Conv2D takes " + inChannels
                + " input channels, the input " + input + " has " + input.channels());
        return new Shape(
                Geometry.outputSize("Conv2D", "height", input.height(), padding.top(), padding.bottom(), kernelH, strideH),
                Geometry.outputSize("Conv2D", "width", input.width(), padding.left(), padding.right(), kernelW, strideW),
                filters);
    }

    @Override
    public long parameterCount() {
        return (long) kernelH * kernelW * inChannels * filters + filters;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conv2D c && kernelH == c.kernelH && kernelW == c.kernelW && inChannels == c.inChannels
                && filters == c.filters && strideH == c.strideH && strideW == c.strideW
                && padding.equals(c.padding) && activation == c.activation
                && Arrays.equals(kernel, c.kernel) && Arrays.equals(bias, c.bias);
    }

    @Override
    public int hashCode() {
        int h = 31 * kernelH + kernelW;
        h = 31 * h + inChannels;
        h = 31 * h + filters;
        h = 31 * h + strideH;
        h = 31 * h + strideW;
        h = 31 * h + padding.hashCode();
        h = 31 * h + activation.hashCode();
        h = 31 * h + Arrays.hashCode(kernel);
        return 31 * h + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return "Conv2D[" + kernelH + "×" + kernelW + ", " + inChannels + " -> " + filters + ", stride " + strideH
                + "×" + strideW + ", " + padding + ", " + activation + "]";
    }
}
