// Where the tests find the reference's conformance data: a copy inside the repository
// (test/conformance/README.md says where it came from), never a path outside the clone.
import { join } from 'node:path';

export const CONFORMANCE = join(import.meta.dirname, '../conformance');
