package disk

// initialMmapSize is bbolt's default here: on Windows a mapping cannot be
// larger than its file, and bbolt grows the file to the mapping's size.
const initialMmapSize = 0
