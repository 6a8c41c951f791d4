package lanes.interchange;

import lanes.engine.BadInputException;

/**
 * A model file Lanes cannot import: not ONNX or Keras, damaged, or using what the engine cannot run.
 * The problem names the node or layer, its op or class, the opset or Keras version, and what was
 * expected against what was found; where several things are unsupported, all of them, with what to do.
 */
public final class ImportException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ImportException(String source, String problem) {
        super(source, problem, null);
    }

    public ImportException(String source, String problem, Throwable cause) {
        super(source, problem, cause);
    }
}
