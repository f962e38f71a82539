/**
 * The DOM's EventInit dictionary. Node has Event and EventTarget as globals, but @types/node
 * does not declare the dictionary, so the event constructors here name it themselves.
 */
export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}
