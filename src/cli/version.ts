// berth's version, for `version`, `--version` and `info`.
export const VERSION = '0.1.0';
