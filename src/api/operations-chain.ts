/**
 * The operations chain (W3C webrtc-pc 4.4.1.2): createOffer, createAnswer, setLocalDescription,
 * setRemoteDescription and addIceCandidate run one at a time, in call order, each starting
 * only after the previous one's promise has settled and its reactions have run.
 */
import { domException } from './dom-exception.js';

/**
 * Functions rather than a getter: an object literal with a getter that closes over its
 * connection gets a hidden class of its own, which holds that getter and with it the whole
 * connection until a full collection, however early the connection is dropped.
 */
export interface OperationsChainHost {
  isClosed(): boolean;
  /** The chain just became empty and a negotiation-needed update was deferred until then. */
  chainEmptied(): void;
}

type Operation = () => Promise<unknown>;

export class OperationsChain {
  readonly #host: OperationsChainHost;
  readonly #operations: Operation[] = [];
  /** Set when "update the negotiation-needed flag" ran while operations were pending. */
  updateNegotiationNeededOnEmpty = false;

  constructor(host: OperationsChainHost) {
    this.#host = host;
  }

  get length(): number {
    return this.#operations.length;
  }

  /** "Chain an operation": rejects with InvalidStateError once the connection is closed. */
  chain<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#host.isClosed()) {
      return Promise.reject(domException('InvalidStateError', 'the connection is closed'));
    }
    const { promise, resolve, reject } = withResolvers<T>();
    const run: Operation = () => {
      let p: Promise<T>;
      try {
        p = operation();
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (value) => {
          if (!this.#host.isClosed()) resolve(value);
        },
        (reason: unknown) => {
          if (!this.#host.isClosed()) reject(reason);
        },
      );
      return p;
    };
    this.#operations.push(run);
    // Runs after the outer promise's reactions, as the spec's "upon fulfillment or rejection
    // of promise" does.
    promise.then(
      () => this.#next(),
      () => this.#next(),
    );
    if (this.#operations.length === 1) this.#start(run);
    return promise;
  }

  #start(run: Operation): void {
    // The returned promise is observed through the outer promise only.
    run().catch(() => {});
  }

  #next(): void {
    if (this.#host.isClosed()) return;
    this.#operations.shift();
    const head = this.#operations[0];
    if (head !== undefined) {
      this.#start(head);
      return;
    }
    if (!this.updateNegotiationNeededOnEmpty) return;
    this.updateNegotiationNeededOnEmpty = false;
    this.#host.chainEmptied();
  }
}

function withResolvers<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
