export function reexecInNamespace(fallback: string): void;
