/** Why a file or directory cannot be read, from the error code (not always "no such file"). */
export function ioMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a parent of this path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop)';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return `cannot read (${code ?? (e as Error).message})`;
  }
}
