/** Who is calling `POST /v0/nodes`, as far as the registration rules of spec §4.1 care. */
export interface RegistrationCaller {
  /** The request's source address (after LLMLB_TRUST_PROXY). */
  sourceIp: string;
  /** A key (or admin) with `nodes.register`: may register any allowed address. */
  mayRegisterAnyAddress: boolean;
  /** A key (or admin) with `nodes.manage`: may re-register an existing node (back to pending). */
  mayManageNodes: boolean;
  /** The `X-Node-Token` sent along, proving the caller is the node registered there. */
  nodeToken: string | null;
}
