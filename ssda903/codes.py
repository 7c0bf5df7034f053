"""SSDA903 code lists: every code list the 903 import checks, in one place.

Source: the DfE "Children looked after by local authorities in England" (SSDA903) guidance, the
lists as they stood for the 2017-18 return (the year of the shared synthetic return, whose files are
dated 2016-2024 but use the 2017-18 codes). Each list was checked against the shared synthetic
return (``tests/data/ssda903-fake``, from the project's shared data, MIT, Social Finance): every value in it is
    accepted and
it uses no code outside these lists.

The lists change from year to year (older returns used placement codes such as P0, P4, R4 that are
not here). When a council needs an older or newer year, add that year's list beside these with its
source year rather than widening the 2017-18 list.
"""

# LS: legal status (2017-18).
LEGAL_STATUS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "J1": "Remanded to local authority accommodation or youth detention accommodation",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to CYPA 1969 supervision order with residence requirement",
    "L1": "Under police protection and in local authority accommodation",
    "L2": "Emergency protection order",
    "L3": "Under child assessment order and in local authority accommodation",
    "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks, when individual episodes are recorded",
    "V4": "Accommodated under an agreed series of short-term breaks, when agreements are recorded",
}

# PLACE: placement type (2017-18).
PLACEMENT_TYPE = {
    "A3": "Placed for adoption with parental/guardian consent with current foster carer(s)",
    "A4": "Placed for adoption with parental/guardian consent not with current foster carer(s)",
    "A5": "Placed for adoption with placement order with current foster carer(s)",
    "A6": "Placed for adoption with placement order not with current foster carer(s)",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations",
    "K1": "Secure children's homes",
    "K2": "Children's homes subject to children's homes regulations",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living, for example in a flat, lodgings, bedsit, B&B or with friends",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS/health trust or other establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution or prison",
    "S1": "All residential schools, except where dual-registered as a school and children's home",
    "T0": "All types of temporary move",
    "T1": "Temporary periods in hospital",
    "T2": "Temporary absences of the child on holiday",
    "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
    "T4": "Temporary accommodation of seven days or less, for any reason, not covered by codes T1 to T3",
    "U1": "Foster placement with relative(s) or friend(s) - long term fostering",
    "U2": "Foster placement with relative(s) or friend(s) who is/are also an approved adopter(s) - FFA",
    "U3": "Foster placement with relative(s) or friend(s) - not long term or FFA",
    "U4": "Foster placement with other foster carer(s) - long term fostering",
    "U5": "Foster placement with other foster carer(s) who is/are also an approved adopter(s) - FFA",
    "U6": "Foster placement with other foster carer(s) - not long term or FFA",
    "Z1": "Other placements",
}

# REC: reason episode ceased (2017-18).
REASON_ENDED = {
    "E11": "Adopted - application for an adoption order unopposed",
    "E12": "Adopted - consent dispensed with by the court",
    "E13": "Left care to live with parent(s), relative(s), or other person(s) with no parental responsibility",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment determined child is aged 18 or over",
    "E16": "Child moved abroad",
    "E17": "Aged 18 (or over) and remained with current carers (inc under staying put arrangements)",
    "E2": "Died",
    "E3": "Care taken over by another local authority in the UK",
    "E41": "Residence order (or, from 22 April 2014, a child arrangement order) granted",
    "E45": "Special guardianship order made to former foster carer(s), who was/are a relative(s) or friend(s)",
    "E46": "Special guardianship order made to former foster carer(s), other than relative(s) or friend(s)",
    "E47": "Special guardianship order made to carer(s), other than former foster carer(s), who was/are a "
    "relative(s) or friend(s)",
    "E48": "Special guardianship order made to carer(s), other than former foster carer(s), other than "
    "relative(s) or friend(s)",
    "E4A": "Returned home to live with parent(s), relative(s), or other person(s) with parental responsibility "
    "as part of the care planning process",
    "E4B": "Returned home to live with parent(s), relative(s), or other person(s) with parental responsibility "
    "which was not part of the current care planning process",
    "E5": "Moved into independent living arrangement and no longer looked-after: supportive accommodation "
    "providing formalised advice/support arrangements",
    "E6": "Moved into independent living arrangement and no longer looked-after: accommodation providing no "
    "formalised advice/support arrangements",
    "E7": "Transferred to residential care funded by adult social services",
    "E8": "Period of being looked-after ended for any other reason",
    "E9": "Sentenced to custody",
    "X1": "Episode ceases, and new episode begins on same day, for any reason",
}

# REVIEW_CODE: the child's participation in the review (PN0-PN7, 2017-18).
REVIEW_PARTICIPATION = {
    "PN0": "Child aged under 4 at the time of the review",
    "PN1": "Child physically attends and speaks for themselves",
    "PN2": "Child physically attends and an advocate speaks on their behalf",
    "PN3": "Child attends and conveys their view symbolically (non-verbally)",
    "PN4": "Child physically attends but does not speak for themselves, does not convey their view symbolically "
    "and does not ask an advocate to speak for them",
    "PN5": "Child does not attend physically but briefs an advocate to speak for them",
    "PN6": "Child does not attend but conveys their feelings to the review by a facilitative medium",
    "PN7": "Child does not attend nor are their views conveyed to the review",
}

# MISSING: missing from placement (M) or away from placement without authorisation (A).
MISSING_KIND = {
    "M": "Missing",
    "A": "Away from placement without authorisation",
}

# SEX (Header and UASC): the codes Child.sex accepts.
SEX = {
    "1": "Male",
    "2": "Female",
}

# The episode reason that means "a new episode begins the same day": it closes an episode, so an
# open episode (no DEC) should not carry it.
SAME_DAY_NEW_EPISODE = "X1"
