/**
 * Event handler IDL attributes (onopen, onmessage, ...) as HTML defines them: setting a
 * function registers one listener that calls the current handler, at the position in the
 * listener list of the first time a handler was set; setting null removes it.
 */
interface HandlerSlot {
  handler: ((event: Event) => unknown) | null;
  listener: ((event: Event) => void) | undefined;
}

const slots = new WeakMap<EventTarget, Map<string, HandlerSlot>>();

function slotOf(target: EventTarget, type: string): HandlerSlot {
  let byType = slots.get(target);
  if (byType === undefined) {
    byType = new Map();
    slots.set(target, byType);
  }
  let slot = byType.get(type);
  if (slot === undefined) {
    slot = { handler: null, listener: undefined };
    byType.set(type, slot);
  }
  return slot;
}

function setHandler(target: EventTarget, type: string, value: unknown): void {
  const slot = slotOf(target, type);
  // WebIDL: a non-callable object converts to null for an EventHandler attribute.
  const handler = typeof value === 'function' ? (value as (event: Event) => unknown) : null;
  slot.handler = handler;
  if (handler === null) {
    if (slot.listener !== undefined) {
      target.removeEventListener(type, slot.listener);
      slot.listener = undefined;
    }
    return;
  }
  if (slot.listener === undefined) {
    const listener = (event: Event): void => {
      const current = slot.handler;
      if (current !== null) current.call(target, event);
    };
    slot.listener = listener;
    target.addEventListener(type, listener);
  }
}

/** Defines `on<type>` accessors on a prototype for each event type. */
export function defineEventHandlers(prototype: EventTarget, types: readonly string[]): void {
  for (const type of types) {
    Object.defineProperty(prototype, `on${type}`, {
      configurable: true,
      enumerable: true,
      get(this: EventTarget) {
        return slots.get(this)?.get(type)?.handler ?? null;
      },
      set(this: EventTarget, value: unknown) {
        setHandler(this, type, value);
      },
    });
  }
}

/** The type of an `on<type>` attribute. */
export type EventHandler<T, E extends Event = Event> = ((this: T, event: E) => unknown) | null;
