/**
 * The code editor's shortcuts, as CodeMirror key specs (`Mod` = Ctrl, or Cmd on macOS).
 * Light module (no CodeMirror) so buttons can show them in tooltips (`<Button shortcut>`)
 * before the editor chunk loads.
 */
export interface EditorShortcuts {
  run: string;
  check: string;
  submit: string;
  save: string;
}

export const editorShortcuts: EditorShortcuts = {
  run: 'Mod-Enter',
  check: 'Shift-Mod-Enter',
  submit: 'Mod-Alt-Enter',
  save: 'Mod-s',
};

/** True on Apple platforms; false during server rendering. */
export function isMacPlatform(): boolean {
  if (typeof navigator === 'undefined') return false;
  const nav = navigator as Navigator & { userAgentData?: { platform?: string } };
  const platform = nav.userAgentData?.platform ?? nav.platform ?? '';
  return /mac|iphone|ipad|ipod/i.test(platform);
}
