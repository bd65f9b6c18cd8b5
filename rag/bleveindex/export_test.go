package bleveindex

// WriteManifest exposes writeManifest to tests, which sign a damaged copy
// to reach bleve with it.
var WriteManifest = writeManifest
