/// What to do with NaN or infinite values in the inputs.
///
/// The same type, with the same cases and raw values, is declared in Encoding/RidgeOptions.swift on the `ridge`
/// branch; whichever lands second deletes its copy (this file) so that the toolkit has one policy type.
public enum NaNPolicy: String, Sendable {
    /// Throw an `AlignmentError` naming the argument and the first offending column.
    case refuse = "refuse"
    /// Drop the offending columns (or entries) and continue.
    case omit = "omit"
}
