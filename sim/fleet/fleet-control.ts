import type { PurchaseOption } from '../../schemas/index.js';

/**
 * What a policy (an autoscaler, the cloud executor, an edge action) may do to a running
 * simulated fleet. Every call takes effect at the current simulated time: a launch serves only
 * after the cloud's provisioning delay, a retire drains in-flight requests before terminating.
 */
export interface FleetControl {
  /** Launches a replica; resolves to its node name once the instance is requested (not yet serving). */
  launchReplica(opts: {
    instanceType: string;
    purchaseOption: PurchaseOption;
    zone?: string;
    /** Engine args (vLLM names without dashes, e.g. `max-num-seqs`); absent = the fleet's defaults. */
    engineArgs?: Record<string, string | number | boolean | null>;
    /** Node name; absent = generated, unique in the run. */
    node?: string;
  }): Promise<string>;
  /** Stops routing to the node, lets it finish in-flight requests, then terminates its instance. */
  retireReplica(node: string): Promise<void>;
  /** Restarts the node's engine with changed args (vLLM names); in-flight requests are re-routed. */
  reconfigureReplica(node: string, changes: Record<string, string | number | boolean | null>): Promise<void>;
  /** Router policy and weights, as the `set_routing` action carries them. */
  setRouting(
    policy: 'round_robin' | 'least_loaded' | 'prefix_affinity' | 'kv_aware' | 'weighted',
    weights?: Record<string, number>
  ): void;
  /** Replicas by node: serving, provisioning or draining. */
  replicas(): Array<{
    node: string;
    instanceType: string;
    purchaseOption: PurchaseOption;
    state: 'provisioning' | 'serving' | 'draining';
  }>;
}
