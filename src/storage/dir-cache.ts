// What one unpack knows of the directories it made or checked, so that resolving an entry's parent
// costs no lstat per component (a layer of 25,000 files paid five each). A node stands for a host
// path that is a real directory, never a symlink; the tree mirrors the host tree below the root,
// so forgetting a path forgets everything under it in one delete, whatever the layer's size.
// Only the unpack that owns the cache changes the tree below its root, and it tells the cache
// about every removal (forget), so a node is never stale.

export interface DirNode {
  children: Map<string, DirNode>;
}

export class DirCache {
  readonly root: DirNode = { children: new Map() };

  /** The node of `parent`'s child `name`, known to be a real directory. */
  child(parent: DirNode, name: string): DirNode | undefined {
    return parent.children.get(name);
  }

  /** Records that `parent`'s child `name` is a real directory (just made or lstat'ed). */
  add(parent: DirNode, name: string): DirNode {
    let n = parent.children.get(name);
    if (!n) {
      n = { children: new Map() };
      parent.children.set(name, n);
    }
    return n;
  }

  /** Forgets the host path `rel` (components below the root, already resolved) and all under it. */
  forget(rel: readonly string[]): void {
    let n: DirNode | undefined = this.root;
    for (let i = 0; i < rel.length - 1 && n; i++) n = n.children.get(rel[i]!);
    if (n && rel.length > 0) n.children.delete(rel[rel.length - 1]!);
    else if (rel.length === 0) this.root.children.clear();
  }
}
