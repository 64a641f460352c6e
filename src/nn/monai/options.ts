// Block options shared by MONAI-compatible blocks (names follow monai.networks).

type NormKind = "batch" | "instance" | "none";
type ActKind = "prelu" | "relu" | "leakyrelu" | "none";

export interface BlockOptions {
  act: ActKind;
  norm: NormKind;
  /** Dropout probability (nn.Dropout, element-wise, as MONAI's default dropout_dim=1). */
  dropout: number;
  bias: boolean;
  /** Order of norm (N), dropout (D) and activation (A); MONAI's default "NDA". */
  adnOrdering: string;
}

export const DEFAULT_BLOCK_OPTIONS: BlockOptions = {
  act: "prelu",
  norm: "instance",
  dropout: 0,
  bias: true,
  adnOrdering: "NDA",
};
