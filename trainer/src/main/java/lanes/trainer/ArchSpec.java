package lanes.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import lanes.engine.Activation;

/**
 * A network as {@code tools/train --arch} spells it: layers separated by spaces, Keras Sequential order,
 * {@code conv2d(16,5,relu) maxpool(2) conv2d(32,5,relu) maxpool(2) dense(10,softmax)}. Commas belong
 * inside the parentheses; spaces may follow them. Layer names and activations are case-insensitive.
 * <ul>
 * <li>{@code conv2d(filters,kernel[,activation])}: square kernel, stride 1, valid padding; relu or linear</li>
 * <li>{@code maxpool(size)} (or {@code maxpool2d}): window = stride = size</li>
 * <li>{@code flatten}: optional, a dense layer after an image layer flattens by itself</li>
 * <li>{@code dense(units[,activation])}: relu, linear or softmax</li>
 * </ul>
 * An omitted activation is linear, as in Keras. The last layer must be {@code dense(classes,softmax)}
 * (training minimises sparse categorical cross-entropy), image layers come before the first dense one,
 * and softmax appears nowhere else.
 */
public record ArchSpec(List<Layer> layers) {

    /** Today's model: {@code --hidden 128}. */
    public static final String DEFAULT = "dense(128,relu) dense(10,softmax)";

    /** The valid layer forms, for error messages and {@code --help}. */
    public static final String FORMS = "conv2d(filters,kernel[,relu|linear]) maxpool(size) flatten"
            + " dense(units[,relu|linear|softmax])";

    public sealed interface Layer {
        /** True for the layers that need an image (height × width × channels) input. */
        default boolean image() {
            return false;
        }
    }

    public record Conv2dLayer(int filters, int kernel, Activation activation) implements Layer {
        @Override
        public boolean image() {
            return true;
        }

        @Override
        public String toString() {
            return "conv2d(" + filters + "," + kernel + "," + name(activation) + ")";
        }
    }

    public record MaxPoolLayer(int size) implements Layer {
        @Override
        public boolean image() {
            return true;
        }

        @Override
        public String toString() {
            return "maxpool(" + size + ")";
        }
    }

    public record FlattenLayer() implements Layer {
        @Override
        public String toString() {
            return "flatten";
        }
    }

    public record DenseLayer(int units, Activation activation) implements Layer {
        @Override
        public String toString() {
            return "dense(" + units + "," + name(activation) + ")";
        }
    }

    /** @throws IllegalArgumentException when the layers are out of order (see the class comment) */
    public ArchSpec {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) throw new IllegalArgumentException("an architecture needs at least one layer; e.g. " + DEFAULT);
        List<String> texts = layers.stream().map(Layer::toString).toList();
        checkOrder(String.join(" ", texts), layers, texts, null);
    }

    /** {@code dense(hidden,relu) dense(classes,softmax)}: what {@code --hidden} stands for. */
    public static ArchSpec mlp(int hidden, int classes) {
        return new ArchSpec(List.of(new DenseLayer(hidden, Activation.RELU), new DenseLayer(classes, Activation.SOFTMAX)));
    }

    /** True when a layer needs an image input (conv2d, maxpool, or a flatten of the image). */
    public boolean needsImage() {
        return layers.stream().anyMatch(l -> l.image() || l instanceof FlattenLayer);
    }

    /** The units of the last (softmax) layer: the classes the network tells apart. */
    public int classes() {
        return ((DenseLayer) layers.get(layers.size() - 1)).units();
    }

    /** The spec in its canonical spelling, which {@link #parse} reads back to an equal ArchSpec. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Layer l : layers) s.append(s.isEmpty() ? "" : " ").append(l);
        return s.toString();
    }

    /**
     * The network this spec describes for {@code height × width} one-channel images, drawn from {@code seed}.
     * A spec of dense layers alone takes the image as a vector of height·width pixels (the model
     * {@code tools/train} has always made, bit for bit); one with image layers takes it as height × width × 1.
     *
     * @throws IllegalArgumentException when a layer does not fit the image (a kernel larger than its input,
     *                                  a pool to nothing), naming the layer, or the network is too large
     */
    public Network build(int height, int width, long seed) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("image size must be >= 1x1, got " + height + "x" + width);
        checkFits(height, width);
        if (needsImage()) return imageNetwork(height, width, 1, seed);
        Network.Builder b = Network.builder(Math.multiplyExact(height, width));
        for (Layer l : layers) {
            DenseLayer d = (DenseLayer) l;
            b.dense(d.units(), d.activation());
        }
        return b.build(seed);
    }

    /** A network over (height, width, channels) images: the conv and pool layers, then the dense ones. */
    private Network imageNetwork(int height, int width, int channels, long seed) {
        Network.Builder b = Network.builder(height, width, channels);
        for (Layer l : layers) {
            switch (l) {
                case Conv2dLayer c -> b.conv2d(c.filters(), c.kernel(), c.activation());
                case MaxPoolLayer p -> b.maxPool(p.size());
                case FlattenLayer f -> b.flatten();
                case DenseLayer d -> b.dense(d.units(), d.activation());
            }
        }
        return b.build(seed);
    }

    /** Walks the image through the conv and pool layers: each must have an input at least its window's size. */
    private void checkFits(int height, int width) {
        int h = height, w = width;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            int window = l instanceof Conv2dLayer c ? c.kernel() : l instanceof MaxPoolLayer p ? p.size() : 0;
            if (window == 0) continue;
            if (h < window || w < window) throw new IllegalArgumentException("layer " + (i + 1) + " '" + l
                    + "' needs an input of at least " + window + "x" + window + " but gets " + h + "x" + w
                    + (h == height && w == width ? " (the images' size)" : " (from " + height + "x" + width + " images)"));
            if (l instanceof Conv2dLayer) {
                h = h - window + 1;
                w = w - window + 1;
            } else {
                h /= window;
                w /= window;
            }
        }
    }

    /**
     * The architecture {@code spec} spells.
     *
     * @throws IllegalArgumentException naming the layer (its number and column) that is wrong, and
     *                                  showing the valid forms
     */
    public static ArchSpec parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        List<Layer> layers = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Integer> columns = new ArrayList<>();
        int i = 0, n = spec.length();
        while (true) {
            while (i < n && Character.isWhitespace(spec.charAt(i))) i++;
            if (i == n) break;
            int start = i;
            if (spec.charAt(i) == ',') throw error(spec, layers.size() + 1, start, ",",
                    "layers are separated by spaces, not commas (commas go inside the parentheses)");
            while (i < n && !Character.isWhitespace(spec.charAt(i)) && spec.charAt(i) != '(' && spec.charAt(i) != ',') i++;
            String name = spec.substring(start, i);
            String args = null;
            if (i < n && spec.charAt(i) == '(') {
                int close = spec.indexOf(')', i);
                if (close < 0) throw error(spec, layers.size() + 1, start, spec.substring(start).strip(),
                        "has no closing parenthesis");
                args = spec.substring(i + 1, close);
                i = close + 1;
            }
            String text = spec.substring(start, i);
            if (i < n && !Character.isWhitespace(spec.charAt(i))) {
                int end = i;
                while (end < n && !Character.isWhitespace(spec.charAt(end))) end++;
                throw error(spec, layers.size() + 1, start, spec.substring(start, end), spec.charAt(i) == ','
                        ? "layers are separated by spaces, not commas (commas go inside the parentheses)"
                        : "unexpected '" + spec.substring(i, end) + "' after '" + text + "' (layers are separated by spaces)");
            }
            try {
                layers.add(layer(name.toLowerCase(Locale.ROOT), args));
            } catch (IllegalArgumentException e) {
                throw error(spec, layers.size() + 1, start, text, e.getMessage());
            }
            texts.add(text);
            columns.add(start);
        }
        if (layers.isEmpty()) throw new IllegalArgumentException("architecture '" + spec + "' has no layers; e.g. '"
                + DEFAULT + "'; valid layers: " + FORMS);
        checkOrder(spec, layers, texts, columns);
        return new ArchSpec(layers);
    }

    /** One layer from its lower-cased name and the text between its parentheses (null without them). */
    private static Layer layer(String name, String args) {
        String[] a = args == null || args.isBlank() ? new String[0] : args.split(",", -1);
        for (int k = 0; k < a.length; k++) a[k] = a[k].strip();
        switch (name) {
            case "conv2d" -> {
                arguments(name, a, 2, 3, "filters,kernel[,activation]");
                Activation act = a.length > 2 ? activation(a[2]) : Activation.LINEAR;
                if (act == Activation.SOFTMAX) throw new IllegalArgumentException(
                        "conv2d takes relu or linear, not softmax (softmax belongs to the last dense layer)");
                return new Conv2dLayer(count("filters", a[0]), count("kernel", a[1]), act);
            }
            case "maxpool", "maxpool2d" -> {
                arguments(name, a, 1, 1, "size");
                return new MaxPoolLayer(count("size", a[0]));
            }
            case "flatten" -> {
                arguments(name, a, 0, 0, "");
                return new FlattenLayer();
            }
            case "dense" -> {
                arguments(name, a, 1, 2, "units[,activation]");
                return new DenseLayer(count("units", a[0]), a.length > 1 ? activation(a[1]) : Activation.LINEAR);
            }
            default -> throw new IllegalArgumentException("unknown layer '" + name + "'");
        }
    }

    private static void arguments(String name, String[] a, int min, int max, String form) {
        if (a.length < min || a.length > max) throw new IllegalArgumentException(max == 0
                ? name + " takes no arguments"
                : name + " takes " + (min == max ? min : min + " or " + max) + " argument" + (max == 1 ? "" : "s")
                        + " (" + name + "(" + form + ")), got " + a.length);
    }

    private static int count(String what, String text) {
        if (!text.matches("\\d+")) throw new IllegalArgumentException(what + " must be a whole number >= 1, got '" + text + "'");
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is too large, got " + text);
        }
        if (v < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        return v;
    }

    private static Activation activation(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "relu" -> Activation.RELU;
            case "linear" -> Activation.LINEAR;
            case "softmax" -> Activation.SOFTMAX;
            default -> throw new IllegalArgumentException("activation must be relu, linear or softmax, got '" + text + "'");
        };
    }

    /** Image layers before the flat ones, one flatten at most, softmax on the last layer and only there. */
    private static void checkOrder(String spec, List<Layer> layers, List<String> texts, List<Integer> columns) {
        int flatAt = -1; // the layer that made the input flat: a flatten or the first dense
        for (int k = 0; k < layers.size(); k++) {
            Layer l = layers.get(k);
            boolean last = k == layers.size() - 1;
            String why = null;
            if (l.image() && flatAt >= 0) {
                why = "comes after layer " + (flatAt + 1) + " '" + texts.get(flatAt)
                        + "' made the input flat: conv2d and maxpool go before flatten and dense";
            } else if (l instanceof FlattenLayer && flatAt >= 0) {
                why = "the input is already flat there (layer " + (flatAt + 1) + " '" + texts.get(flatAt) + "')";
            } else if (l instanceof DenseLayer d && d.activation() == Activation.SOFTMAX && !last) {
                why = "softmax belongs to the last layer only";
            } else if (last && !(l instanceof DenseLayer d && d.activation() == Activation.SOFTMAX)) {
                why = "the last layer must be dense(classes,softmax): training minimises sparse categorical cross-entropy";
            }
            if (why != null) throw error(spec, k + 1, columns == null ? -1 : columns.get(k), texts.get(k), why);
            if (flatAt < 0 && (l instanceof FlattenLayer || l instanceof DenseLayer)) flatAt = k;
        }
    }

    private static IllegalArgumentException error(String spec, int layer, int column, String text, String why) {
        return new IllegalArgumentException("architecture '" + spec + "': layer " + layer + " '" + text + "'"
                + (column >= 0 ? " (column " + (column + 1) + ")" : "") + ": " + why + "; valid layers: " + FORMS);
    }

    private static String name(Activation a) {
        return a.name().toLowerCase(Locale.ROOT);
    }
}
