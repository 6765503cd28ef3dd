"""Build code of the rfi-umarov-2022 data package (not shipped in the wheel).

``python -m rfi_umarov_2022_build`` turns the transcript and the curated annotations in
``dataset/annotations/`` into the Parquet tables, the descriptor and the generated docs.
"""
