/**
 * import() for modules loaded at run time (PGlite, pg, .mjs config files). The CLI bundle is
 * compiled by the bootstrap through vm.Script (for its code cache), where Node 20 offers no working
 * dynamic-import hook; the bootstrap therefore provides one as a global. Elsewhere (the library,
 * tests) the plain import() is used.
 */
type Importer = (specifier: string) => Promise<unknown>;

export function dynamicImport<T>(specifier: string): Promise<T> {
  const viaBootstrap = (globalThis as { __zerodownImport?: Importer }).__zerodownImport;
  return (viaBootstrap ? viaBootstrap(specifier) : import(specifier)) as Promise<T>;
}
