package lanes.interchange;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Inputs and expected outputs written by {@code bench/compare/keras_reference.py} (an independent float64
 * numpy forward pass over the stored weights): {@code inputs N D}, N lines, {@code outputs N K}, N lines.
 */
record Reference(float[][] inputs, double[][] outputs) {

    static final Path DIR = Path.of("src/test/resources/lanes/interchange/keras/reference");

    static Reference load(String modelFile) {
        Path file = DIR.resolve(modelFile + ".txt");
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) if (!l.startsWith("#")) lines.add(l);
            String[] head = lines.get(0).split(" ");
            int n = Integer.parseInt(head[1]);
            float[][] in = new float[n][];
            for (int i = 0; i < n; i++) {
                String[] v = lines.get(1 + i).split(" ");
                in[i] = new float[v.length];
                for (int j = 0; j < v.length; j++) in[i][j] = Float.parseFloat(v[j]);
            }
            double[][] out = new double[n][];
            for (int i = 0; i < n; i++) {
                String[] v = lines.get(2 + n + i).split(" ");
                out[i] = new double[v.length];
                for (int j = 0; j < v.length; j++) out[i][j] = Double.parseDouble(v[j]);
            }
            return new Reference(in, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
