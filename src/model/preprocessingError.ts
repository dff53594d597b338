/** Thrown by preprocessing.json's parsers: the key and the problem; the caller adds the file. */
export class PreprocessingError extends Error {}
