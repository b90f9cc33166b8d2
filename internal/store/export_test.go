package store

// RootError exposes rootError to the external tests, which cannot make a directory
// unwritable when they run as root.
var RootError = rootError
