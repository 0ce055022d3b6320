// The image archive formats berth writes and reads: shared by image/ (which does the work) and
// the fronts (which check a --format flag) without either loading the other.
export type ArchiveFormat = 'oci-archive' | 'docker-archive';

export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['oci-archive', 'docker-archive'];
