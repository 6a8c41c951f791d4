package lanes.serve;

import java.time.Instant;
import lanes.engine.Model;

/**
 * The model being served: swapped whole by {@link ModelRepository}, read once per request, so that a
 * request runs start to finish on one model even while a new one is swapped in.
 *
 * @param predictors predictors of this model for requests to borrow
 * @param version the version number: the directory's number for a version directory, else 1 for the
 *                first load of a file and one more for each reload
 */
record Served(Model model, long version, String source, Signature signature, Instant loadedAt, Predictors predictors) {

    Served(Model model, long version, String source, Instant loadedAt) {
        this(model, version, source, Signature.of(model), loadedAt, new Predictors(model));
    }
}
