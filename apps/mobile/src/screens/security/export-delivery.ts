/**
 * Hands the personal-data export to the customer: on the web as a file download (a Blob URL and an
 * `<a download>`), on a phone through the system share sheet (save to Files, mail it to yourself).
 * The document is personal data: it goes only where the customer sends it, never to a log.
 */
import { Platform, Share } from 'react-native';

export type ExportDelivery = 'downloaded' | 'shared';

export async function deliverExport(json: string, fileName: string): Promise<ExportDelivery> {
  if (Platform.OS === 'web') {
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.rel = 'noopener';
    document.body.appendChild(link);
    link.click();
    link.remove();
    // Revoked after the click has been handled: some browsers start the download only then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    return 'downloaded';
  }
  await Share.share({ message: json, title: fileName });
  return 'shared';
}

/** Bytes of the document as the file holds it (UTF-8). */
export function byteSize(json: string): number {
  return new TextEncoder().encode(json).byteLength;
}
