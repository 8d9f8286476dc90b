/** What every kind of panel offers the dashboard page. */
import type { ViewState } from '../url-state';
import type { PanelFrame } from './frame';

export interface PanelView {
  frame: PanelFrame;
  /** Fetches and draws; a second call updates the chart in place. */
  refresh(view: ViewState): Promise<void>;
  dispose(): void;
}

/** Adds `dimension:value` to every panel's filters. */
export type Drill = (filter: string) => void;
