/**
 * Event handler IDL attributes (onopen, onmessage, ...) as HTML defines them: setting a
 * function registers one listener that calls the current handler, at the position in the
 * listener list of the first time a handler was set; setting null removes it.
 *
 * A connection may hold thousands of channels, each with a handler or two: a target keeps its
 * handlers in one small array, created when the first is set, and the listener registered for
 * a type is one function shared by every target of the prototype (it finds the handler through
 * `this`, the target the event is dispatched at).
 */

type Handler = (event: Event) => unknown;
type Handlers = (Handler | null)[];

/** Defines `on<type>` accessors on a prototype for each event type. */
export function defineEventHandlers(prototype: EventTarget, types: readonly string[]): void {
  // A key per call, so that a subclass defining handlers of its own keeps them apart.
  const key = Symbol('event handlers');
  const handlersOf = (target: EventTarget): Handlers | undefined =>
    (target as unknown as Record<symbol, Handlers | undefined>)[key];
  types.forEach((type, index) => {
    const listener = function (this: EventTarget, event: Event): void {
      const handler = handlersOf(this)?.[index];
      if (handler != null) handler.call(this, event);
    };
    Object.defineProperty(prototype, `on${type}`, {
      configurable: true,
      enumerable: true,
      get(this: EventTarget) {
        return handlersOf(this)?.[index] ?? null;
      },
      set(this: EventTarget, value: unknown) {
        // WebIDL: a non-callable object converts to null for an EventHandler attribute.
        const handler = typeof value === 'function' ? (value as Handler) : null;
        let handlers = handlersOf(this);
        const previous = handlers?.[index] ?? null;
        // Registered first: on anything but a real target this throws before storing anything.
        if (previous === null && handler !== null) this.addEventListener(type, listener);
        else if (previous !== null && handler === null) this.removeEventListener(type, listener);
        if (handlers === undefined) {
          if (handler === null) return;
          handlers = new Array<Handler | null>(types.length).fill(null);
          (this as unknown as Record<symbol, Handlers>)[key] = handlers;
        }
        handlers[index] = handler;
      },
    });
  });
}

/** The type of an `on<type>` attribute. */
export type EventHandler<T, E extends Event = Event> = ((this: T, event: E) => unknown) | null;
