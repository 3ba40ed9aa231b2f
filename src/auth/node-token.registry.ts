import { Injectable } from '@nestjs/common';

export type NodeTokenVerifier = (
  token: string,
) => Promise<{ nodeId: string } | null> | { nodeId: string } | null;

/**
 * The nodes module registers how node tokens are verified; the global guard asks here.
 * Keeps the dependency one-way (nodes → auth).
 */
@Injectable()
export class NodeTokenRegistry {
  private verifier: NodeTokenVerifier | null = null;

  setVerifier(verifier: NodeTokenVerifier): void {
    this.verifier = verifier;
  }

  async verify(token: string): Promise<{ nodeId: string } | null> {
    return this.verifier ? await this.verifier(token) : null;
  }
}
