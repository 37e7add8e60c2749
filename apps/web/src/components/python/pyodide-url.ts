import 'server-only';
import pyodidePackage from 'pyodide/package.json' with { type: 'json' };

/** Where public/pyodide/<version>/ is served (scripts/copy-pyodide.mjs puts the files there). */
export const PYODIDE_BASE_URL = `/pyodide/${pyodidePackage.version}/`;
