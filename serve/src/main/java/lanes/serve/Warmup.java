package lanes.serve;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import lanes.preprocess.ImagePreprocessor;
import lanes.preprocess.PreprocessMode;

/**
 * Runs the request paths once the server is ready, on a background thread: ImageIO's decoders load
 * their classes on first use (the first drawing sent from the page took 0.3 s before this), and the
 * JSON and predict paths get compiled before the first client waits on them. Calls the stages directly,
 * so that nothing shows in the request metrics.
 */
final class Warmup {
    private Warmup() {}

    static void start(Served s) {
        Thread t = new Thread(() -> {
            try {
                run(s);
            } catch (Exception | OutOfMemoryError e) {
                // a warm-up that fails changes nothing: the first requests are slower, that is all
            }
        }, "lanes-serve-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run(Served s) throws Exception {
        Signature sig = s.signature();
        float[] x = new float[sig.inputSize()];
        for (int i = 0; i < x.length; i += 7) x[i] = (i % 3) / 2f;
        StringBuilder json = new StringBuilder("{\"instances\": [[");
        for (int i = 0; i < x.length; i++) json.append(i > 0 ? ", " : "").append(x[i]);
        byte[] body = json.append("]]}").toString().getBytes(StandardCharsets.UTF_8);
        float[] p = new float[sig.outputs()];
        for (int round = 0; round < 100; round++) {
            JsonIn in = new JsonIn(body, body.length);
            JsonIn.Floats values = new JsonIn.Floats(sig.inputSize());
            in.beginObject();
            in.nextKey();
            in.tensor("instances", values, 1 << 20);
            if (values.size == x.length) s.model().predict(values.a, p);
            new JsonOut(256).floats(p, 0, p.length);
        }
        if (sig.takesImages()) {
            float[] digit = new float[ImagePreprocessor.INPUT_SIZE];
            for (int r = 6; r < 22; r++) digit[r * 28 + 14] = 1;
            ImagePreprocessor pre = new ImagePreprocessor();
            for (String format : new String[] {"png", "jpeg"}) { // the page sends PNG; photos are JPEG
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageIO.write(ImagePreprocessor.toImage(digit, 4), format, bytes);
                s.model().predict(pre.preprocess(bytes.toByteArray(), "warm-up", PreprocessMode.MNIST), p);
            }
        }
    }
}
