package lanes.engine;

/** Child JVM of {@link PredictInputTest}: loads the default model and predicts without the jdk.jfr module. */
public final class PredictWithoutJfr {
    public static void main(String[] args) throws Exception {
        boolean jfr = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
        Model model = Model.loadDefault();
        float[] three = new float[784];
        // A rough 3: three horizontal bars joined on the right.
        for (int c = 9; c < 19; c++) for (int r : new int[] {7, 8, 13, 14, 19, 20}) three[r * 28 + c] = 1f;
        for (int r = 7; r < 21; r++) three[r * 28 + 18] = three[r * 28 + 17] = 1f;
        System.out.println("jfr module: " + (jfr ? "present" : "absent") + "; predicted " + model.predict(three));
    }
}
