package lanes.engine;

/**
 * Max pooling over NHWC images, channel by channel: each output cell is the largest input in its window.
 * Padded cells never win (they are ignored, not zeros), so each side's padding must be smaller than the
 * window on that axis: every window then holds at least one real cell.
 */
public record MaxPool2D(int poolH, int poolW, int strideH, int strideW, Padding padding) implements Layer {

    /** @throws IllegalArgumentException if a size is not positive or padding is not smaller than the window */
    public MaxPool2D {
        Geometry.positive("poolH", poolH);
        Geometry.positive("poolW", poolW);
        Geometry.positive("strideH", strideH);
        Geometry.positive("strideW", strideW);
        Geometry.notNull("padding", padding);
        if (padding.top() >= poolH || padding.bottom() >= poolH || padding.left() >= poolW || padding.right() >= poolW)
            throw new IllegalArgumentException("MaxPool2D padding must be smaller than the " + poolH + "×" + poolW
                    + " window on each side (a window of padding alone has no maximum), got " + padding);
    }

    @Override
    public Shape outputShape(Shape input) {
        return new Shape(
                Geometry.outputSize("MaxPool2D", "height", input.height(), padding.top(), padding.bottom(), poolH, strideH),
                Geometry.outputSize("MaxPool2D", "width", input.width(), padding.left(), padding.right(), poolW, strideW),
                input.channels());
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
